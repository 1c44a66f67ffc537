"""The web app's Vitest suite (units, form checks, API error messages, SSE parsing, chart series),
run as part of `scripts/test` like every other test."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.suite import ROOT

WEB = ROOT / "web"


@pytest.mark.timeout(120)
def test_the_web_apps_unit_tests_pass():
    npx = shutil.which("npx")
    assert npx, "Node 20 and npm are needed for the web app (scripts/install builds it)"
    assert (WEB / "node_modules" / "vitest").is_dir(), "run scripts/install (npm ci in web/)"
    result = subprocess.run([npx, "vitest", "run", "--reporter=dot"], cwd=WEB, capture_output=True, text=True,
                            timeout=110)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert " passed" in result.stdout and " failed" not in result.stdout, result.stdout[-2000:]
