"""Signing in as in production: the edge configured for Auth0 (no dev issuer) sends the browser
through the authorization-code flow with PKCE, here against an Auth0 stand-in (tests/browser/auth0.py).
The person clicks Sign in, comes back to the page they asked for, signed in with Auth0's token, and
the API answers them; a callback replayed or forged goes nowhere."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.auth0 import PERSON, Auth0StandIn, edge_settings
from tests.browser.pages import opened_page
from tests.suite import running_suite

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
async def auth0():
    stand_in = await Auth0StandIn().start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture(scope="module")
async def auth0_suite(infra, stand_ins, auth0, tmp_path_factory):
    async with running_suite(infra, stand_ins, tmp_path_factory.mktemp("auth0"), name="auth0",
                             extra_env=lambda ports: edge_settings(auth0, ports)) as running:
        yield running


async def test_a_person_signs_in_through_auth0_with_pkce_and_lands_where_they_were_going(
        auth0_suite, auth0, browser, screens):
    async with opened_page(browser, auth0_suite, PHONE, screens) as page:
        await page.goto("/fuel")  # not signed in: sign-in first, then back here
        await expect(page.get_by_label("User name")).to_have_count(0)  # no dev form in production
        await page.get_by_role("button", name="Sign in").click()

        await expect(page).to_have_url(auth0_suite.edge + "/fuel")
        await expect(page.get_by_role("heading", level=1, name="Fuel")).to_be_visible()
        [exchange] = auth0.exchanges
        assert exchange["grant_type"] == "authorization_code" and len(exchange["code_verifier"]) >= 43
        me = await page.evaluate("""async () => {
            const session = JSON.parse(localStorage.getItem('mv.session'));
            const response = await fetch('/api/auth/me', {headers: {Authorization: `Bearer ${session.token}`}});
            return [response.status, await response.json()];
        }""")
        assert me[0] == 200 and PERSON in str(me[1])

        # The code was single use: the same callback again is refused, and the person is told.
        callback = "/auth/callback?code=replayed&state=not-a-state-of-ours"
        await page.goto(callback)
        await expect(page.get_by_role("link", name="Back to sign-in")).to_be_visible()
        assert len(auth0.exchanges) == 1  # an unknown state never reaches Auth0
