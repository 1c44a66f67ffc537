"""axe-core (web/node_modules/axe-core, installed by npm ci) run in the page: no serious or
critical accessibility violation on a screen."""

from __future__ import annotations

from playwright.async_api import Page

from tests.suite import ROOT

AXE_SOURCE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


async def assert_accessible(page: Page, screen: str) -> None:
    # Evaluated through the DevTools protocol: the app's CSP (no inline scripts) stays on.
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE_SOURCE.read_text() + "\n;undefined")
    results = await page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
              .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""
    )
    blocking = [v for v in results if v["impact"] in BLOCKING]
    assert not blocking, f"accessibility violations on {screen}:\n" + "\n".join(
        f"  {v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in blocking)
