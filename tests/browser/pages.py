"""Pages and screenshots of the browser tests."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from playwright.async_api import Browser, Page

from tests.suite import NEAR_TREATS


class Screens:
    """Numbered screenshots of one test, in the order the screens were seen."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def capture(self, page: Page, name: str) -> None:
        self.count += 1
        await page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)


async def new_page(browser: Browser, suite, viewport: dict) -> Page:
    """A fresh context (no storage, no service worker) at the given size, near the recorded stations."""
    context = await browser.new_context(
        viewport=viewport, base_url=suite.edge, geolocation=NEAR_TREATS,
        permissions=["geolocation"], is_mobile=viewport["width"] < 600, has_touch=viewport["width"] < 600,
    )
    context.set_default_timeout(10_000)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text else None)
    page.problems = problems  # type: ignore[attr-defined]
    return page


@asynccontextmanager
async def opened_page(browser: Browser, suite, viewport: dict, screens) -> AsyncIterator[Page]:
    """A new page for one test: a screenshot kept if the test fails, no console or request problem
    allowed when it ends, its context closed either way."""
    page = await new_page(browser, suite, viewport)
    try:
        yield page
        assert page.problems == []  # type: ignore[attr-defined]
    except BaseException:
        await screens.capture(page, "failure")
        raise
    finally:
        await page.context.close()
