"""The web app in Chromium against the real suite, as a person uses it, at phone and desktop
widths: sign in, add a vehicle with VIN decode, upload its photo, find and save a station, add
fill-ups (one partial) and see the economy and the chart, add a schedule then a record and see
the urgency change, delete the vehicle, sign out. Then what surrounds it: an expired session, the
app offline, the assistant's stream and rate limit, API errors at their field, the keyboard.
Every screen passes axe-core and is screenshotted (steps.py).
"""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from playwright.async_api import expect

from tests.browser.pages import opened_page
from tests.browser.steps import (
    add_fill_ups, add_vehicle_with_vin_decode, delete_vehicle, edit_vehicle_and_add_document, export_and_import_csv,
    find_and_save_station, go_to, schedule_then_record, screen, see_price_at_saved_station, sign_in, sign_out,
    switch_units_and_back, upload_photo,
)
from tests.suite import VIN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_a_person_manages_a_vehicle_in_the_web_app(suite, browser, screens, viewport, tmp_path):
    async with opened_page(browser, suite, viewport, screens) as page:
        await page.goto("/")
        await expect(page.get_by_role("heading", name="MotoVault")).to_be_visible()
        await screen(page, screens, "sign-in")
        await sign_in(page, f"browser-{viewport['width']}")
        await expect(page.get_by_text("Your garage is empty")).to_be_visible()
        await screen(page, screens, "garage-empty")

        await add_vehicle_with_vin_decode(page, screens)
        await upload_photo(page, screens)
        await edit_vehicle_and_add_document(page, screens)
        await screen(page, screens, "vehicle-with-document")
        await go_to(page, "Garage", "Garage")
        await expect(page.get_by_role("img", name="Photo of Browser Tiguan")).to_be_visible()
        await screen(page, screens, "garage")
        await find_and_save_station(page, screens)
        await add_fill_ups(page, screens)
        await switch_units_and_back(page)
        await export_and_import_csv(page, tmp_path)
        await see_price_at_saved_station(page)
        await schedule_then_record(page, screens)
        await go_to(page, "Settings", "Settings")
        await screen(page, screens, "settings")
        await delete_vehicle(page, screens)
        await sign_out(page)


async def test_an_expired_session_returns_to_sign_in_and_keeps_what_was_typed(suite, browser, screens):
    async with opened_page(browser, suite, PHONE, screens) as page:
        await page.goto("/vehicles/new")
        await sign_in(page, "browser-expiry")
        await expect(page.get_by_role("heading", level=1, name="Add vehicle")).to_be_visible()
        await page.get_by_label("Nickname").fill("Typed before expiry")
        await page.get_by_label("Licence plate").fill("EXP 123")
        # The edge now refuses the token, as it does once a token has expired.
        await page.evaluate("""() => {
            const session = JSON.parse(localStorage.getItem('mv.session'));
            localStorage.setItem('mv.session', JSON.stringify({...session, token: 'expired.token.value'}));
        }""")
        await page.get_by_role("button", name="Add vehicle").click()
        await expect(page.get_by_role("status")).to_contain_text("Your session has expired")
        assert "/signin" in page.url
        await screen(page, screens, "sign-in-expired")
        await sign_in(page, "browser-expiry")
        await expect(page.get_by_role("heading", level=1, name="Add vehicle")).to_be_visible()
        await expect(page.get_by_label("Nickname")).to_have_value("Typed before expiry")
        await expect(page.get_by_label("Licence plate")).to_have_value("EXP 123")


async def test_offline_the_installed_app_shows_the_last_data_read_only(suite, browser, screens):
    async with opened_page(browser, suite, DESKTOP, screens) as page:
        await page.goto("/")
        await sign_in(page, "browser-offline")
        await page.get_by_role("link", name="Add vehicle").click()
        await page.get_by_label("Licence plate").fill("OFF 1INE")
        await page.get_by_label("Nickname").fill("Offline Golf")
        await page.get_by_role("button", name="Add vehicle").click()
        await expect(page.get_by_role("heading", level=1, name="Offline Golf")).to_be_visible()
        await go_to(page, "Garage", "Garage")
        await expect(page.get_by_role("link", name="Offline Golf")).to_be_visible()
        # Installable: a manifest with icons, and a service worker that took control of the page.
        manifest = await page.evaluate("() => fetch('/manifest.webmanifest').then(r => r.json())")
        assert manifest["display"] == "standalone" and {"192x192", "512x512"} <= {i["sizes"] for i in manifest["icons"]}
        await page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                                     timeout=15_000)

        await page.context.set_offline(True)
        await page.reload()  # the app shell now comes from the service worker's cache
        await expect(page.get_by_role("status").filter(has_text="You are offline")).to_be_visible()
        await expect(page.get_by_role("link", name="Offline Golf")).to_be_visible()
        await page.get_by_role("link", name="Offline Golf").click()
        await expect(page.get_by_role("heading", level=1, name="Offline Golf")).to_be_visible()
        await expect(page.get_by_role("button", name="Delete vehicle")).to_be_disabled()
        await screen(page, screens, "offline-vehicle")

        await page.context.set_offline(False)
        await page.reload()
        await expect(page.get_by_role("status").filter(has_text="You are offline")).to_have_count(0)
        await expect(page.get_by_role("button", name="Delete vehicle")).to_be_enabled()


async def test_the_assistant_answer_appears_as_it_streams_in_and_a_429_says_when_to_retry(suite, browser, screens, anthropic):
    async with opened_page(browser, suite, PHONE, screens) as page:
        await page.goto("/assistant")
        await sign_in(page, "browser-assistant")
        await expect(page.get_by_role("heading", level=1, name="Assistant")).to_be_visible()
        await page.get_by_label("Your question").fill("How often should I change the oil?")
        await page.get_by_role("button", name="Ask").click()
        answer = page.locator(".answer__text")
        # The first words are on screen while the stand-in still holds the rest of the stream back.
        await expect(answer).to_have_text("Hello", timeout=5_000)
        await expect(page.get_by_role("button", name="Answering…")).to_be_visible()
        await screen(page, screens, "assistant-streaming")
        await expect(answer).to_have_text("Hello!")
        await expect(page.get_by_role("button", name="Ask")).to_be_enabled()
        assert anthropic.calls["/v1/messages"] == 1
        # Over the assistant's rate limit: the edge's 429 says when to try again, and the question stays.
        await page.get_by_label("Your question").fill("And the air filter?")
        await page.get_by_role("button", name="Ask").click()
        await expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Too many requests\. Try again in (59|60) minutes\."))
        await expect(page.get_by_label("Your question")).to_have_value("And the air filter?")
        assert anthropic.calls["/v1/messages"] == 1
        await screen(page, screens, "assistant-rate-limited")


async def test_api_errors_are_shown_next_to_the_field_and_in_the_form(suite, browser, screens):
    async with opened_page(browser, suite, PHONE, screens) as page:
        await page.goto("/vehicles/new")
        await sign_in(page, "browser-errors")
        # Longer than the API's 20 characters for a plate: refused by the service, shown at the field.
        await page.get_by_label("Licence plate").fill("PLATE-" + "X" * 20)
        await page.get_by_role("button", name="Add vehicle").click()
        plate = page.get_by_label("Licence plate")
        await expect(plate).to_have_attribute("aria-invalid", "true")
        await expect(page.locator(".field--invalid .field__error")).to_contain_text("20 characters")
        await expect(page.get_by_role("alert")).to_contain_text("check the highlighted fields")
        await screen(page, screens, "vehicle-form-field-error")
        # A conflict has no field: the form says what is wrong.
        await plate.fill("")
        await page.get_by_label("VIN", exact=True).fill(VIN)
        await page.get_by_role("button", name="Add vehicle").click()
        await expect(page.get_by_role("heading", level=1, name=re.compile("."))).not_to_have_text("Add vehicle")
        await page.goto("/vehicles/new")
        await page.get_by_label("VIN", exact=True).fill(VIN)
        await page.get_by_role("button", name="Add vehicle").click()
        await expect(page.get_by_role("alert")).to_contain_text("You already have a vehicle with this VIN")


async def test_the_keyboard_skips_to_the_content_and_reaches_the_controls(suite, browser, screens):
    async with opened_page(browser, suite, DESKTOP, screens) as page:
        await page.goto("/")
        await sign_in(page, "browser-keyboard")
        await expect(page.get_by_role("heading", level=1, name="Garage")).to_be_visible()
        await page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to content")
        await expect(skip).to_be_focused()
        await expect(skip).to_be_in_viewport()  # shown when focused, hidden otherwise
        await page.keyboard.press("Enter")
        await page.keyboard.press("Tab")
        await expect(page.get_by_role("link", name="Add vehicle")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", level=1, name="Add vehicle")).to_be_visible()
        # The new screen has the focus (moved there once it has rendered, so wait for it): the next
        # Tab is its first field, outlined (visible focus).
        await expect(page.locator("main#main")).to_be_focused()
        await page.keyboard.press("Tab")
        vin = page.get_by_label("VIN", exact=True)
        await expect(vin).to_be_focused()
        assert await vin.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
        await screen(page, screens, "keyboard-focus")


async def test_a_person_downloads_all_their_data_then_deletes_their_account(suite, browser, screens):
    async with opened_page(browser, suite, DESKTOP, screens) as page:
        await page.goto("/")
        await sign_in(page, "browser-leaving")
        await page.get_by_role("link", name="Add vehicle").click()
        await page.get_by_label("Licence plate").fill("BYE 1")
        await page.get_by_label("Nickname").fill("Leaving Polo")
        await page.get_by_role("button", name="Add vehicle").click()
        await expect(page.get_by_role("heading", level=1, name="Leaving Polo")).to_be_visible()
        await go_to(page, "Settings", "Settings")
        await screen(page, screens, "your-data")

        async with page.expect_download() as downloading:
            await page.get_by_role("button", name="Download all my data").click()
        archive_path = await (await downloading.value).path()
        with zipfile.ZipFile(archive_path) as archive:
            vehicles = json.loads(archive.read("vehicles.json"))
            assert [vehicle["nickname"] for vehicle in vehicles] == ["Leaving Polo"]
            assert "manifest.json" in archive.namelist()

        await page.get_by_role("button", name="Delete my account").click()
        await page.get_by_role("button", name="Delete everything").click()
        # Followed until every service has removed its part, then signed out.
        await expect(page.get_by_label("User name")).to_be_visible(timeout=30_000)
        await sign_in(page, "browser-leaving")  # the same person may start again, with nothing left
        await go_to(page, "Garage", "Garage")
        await expect(page.get_by_text("Your garage is empty")).to_be_visible()
