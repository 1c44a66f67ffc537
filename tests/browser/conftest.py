"""The suite started as tests/e2e starts it, Debian's Chromium driven by Playwright, and a
screenshot of each screen, kept under tests/browser/artifacts/ when a test fails."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from tests.browser.assistant import running_anthropic
from tests.browser.pages import Screens
from tests.suite import ROOT, running_stand_ins, running_suite

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WEB_BUILD = ROOT / "web" / "dist" / "index.html"
ARTIFACTS = Path(__file__).parent / "artifacts"
# KEEP_BROWSER_SCREENSHOTS=1 keeps them after a passing test too (to look at the screens).
KEEP_ALWAYS = os.environ.get("KEEP_BROWSER_SCREENSHOTS") == "1"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
async def stand_ins():
    async with running_stand_ins() as both:
        yield both


@pytest.fixture(scope="module")
async def anthropic():
    """Anthropic's Messages API, streaming a recorded answer with a pause after its first words."""
    async with running_anthropic() as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
async def suite(infra, stand_ins, anthropic, tmp_path_factory):
    if not WEB_BUILD.is_file():
        pytest.fail(f"no web app build at {WEB_BUILD}: run scripts/install (it runs npm ci and npm run build in web/)")
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install (it installs Debian's chromium package)")
    extra = {
        "EDGE_ANTHROPIC_API_KEY": "browser-test-key", "EDGE_ANTHROPIC_BASE_URL": anthropic.url,
        # Every test signs in from 127.0.0.1: the default 10 logins a minute per address is too few.
        "EDGE_RATE_LIMIT_LOGIN": "100/minute",
        # One question an hour: the second shows how the app says when to retry after a 429.
        "EDGE_RATE_LIMIT_AI": "1/hour",
    }
    async with running_suite(infra, stand_ins, tmp_path_factory.mktemp("browser"), name="browser",
                             extra_env=extra) as running:
        yield running


@pytest.fixture(scope="module")
async def browser():
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
def screens(request):
    folder = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    yield Screens(folder)
    report = getattr(request.node, "report_call", None)
    if report is not None and report.passed and not KEEP_ALWAYS:
        shutil.rmtree(folder, ignore_errors=True)
