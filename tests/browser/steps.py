"""What a person does in the web app, step by step, each checked on screen (and every screen
checked by axe-core and screenshotted). Used by test_web_app.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.suite import ROOT, VIN

PHOTO = ROOT / "web" / "public" / "icon-512.png"  # a real PNG, so the browser can draw it
# (day, odometer in miles, US gallons, price per gallon, full tank, at the saved station)
FILL_UPS = [
    ("2026-04-01T08:00", "1000", "10", "3.5", True, True),
    ("2026-04-10T08:00", "1150", "4", "3.5", False, False),  # partial: carried into the next interval
    ("2026-04-20T08:00", "1300", "6", "3.5", True, False),   # closes 300 mi on 10 gal: 30 MPG
]
EVENT_WAIT_MS = 20_000  # a new vehicle reaches the other services by event


async def screen(page: Page, screens, name: str) -> None:
    await screens.capture(page, name)
    await assert_accessible(page, name)


async def go_to(page: Page, link: str, heading: str) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name=link).click()
    await expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


async def sign_in(page: Page, username: str) -> None:
    await page.get_by_label("User name").fill(username)
    await page.get_by_role("button", name="Sign in").click()


async def add_vehicle_with_vin_decode(page: Page, screens) -> None:
    await page.get_by_role("link", name="Add vehicle").click()
    await expect(page.get_by_role("heading", level=1, name="Add vehicle")).to_be_visible()
    await page.get_by_label("VIN", exact=True).fill(VIN.lower())
    await page.get_by_role("button", name="Decode VIN").click()
    await expect(page.get_by_role("status").filter(has_text="Decoded with NHTSA vPIC")).to_be_visible()
    await expect(page.get_by_label("Make")).to_have_value("VOLKSWAGEN")
    await expect(page.get_by_label("Model")).to_have_value("Tiguan")
    await expect(page.get_by_label("Year")).to_have_value("2022")
    await expect(page.get_by_label("VIN", exact=True)).to_have_value(VIN)
    await page.get_by_label("Nickname").fill("Browser Tiguan")
    await page.get_by_label("Odometer (mi)").fill("900")
    await screen(page, screens, "vehicle-form-decoded")
    await page.get_by_role("button", name="Add vehicle").click()
    await expect(page.get_by_role("heading", level=1, name="Browser Tiguan")).to_be_visible()


async def upload_photo(page: Page, screens) -> None:
    await page.get_by_label("Add photo").set_input_files(PHOTO)
    photo = page.get_by_role("img", name="Photo of Browser Tiguan")
    await expect(photo).to_be_visible()
    await expect(photo).to_have_js_property("naturalWidth", 512)  # decoded from the stored file (once loaded)
    await screen(page, screens, "vehicle")


async def find_and_save_station(page: Page, screens) -> None:
    await go_to(page, "Stations", "Stations")
    await page.get_by_role("button", name="Search near me").click()
    results = page.get_by_role("region", name="Results")
    treats = results.get_by_role("listitem").filter(has_text="Treats Sandwich Bar")
    await expect(treats).to_contain_text(re.compile(r"Treats Sandwich Bar · (under )?\d+(\.\d)? mi"))
    await expect(results.get_by_role("listitem").filter(has_text="The Big Chill Restaurant")).to_be_visible()
    await treats.get_by_role("button", name="Save Treats Sandwich Bar").click()
    saved = page.get_by_role("region", name="Saved stations")
    await expect(saved.get_by_role("button", name="Remove Treats Sandwich Bar from saved")).to_be_visible()
    # A typed place: looked up by name (the stand-in's Text Search answers the recorded places),
    # searched near the first match, the others offered.
    await page.get_by_label("Or near a place").fill("Covent Garden, London")
    await page.get_by_role("button", name="Search there").click()
    await expect(page.get_by_text(re.compile(r"^Near The Big Chill Restaurant"))).to_be_visible()
    await expect(page.get_by_label("Not that one? Other matches")).to_be_visible()
    await expect(results.get_by_role("listitem").filter(has_text="Treats Sandwich Bar")).to_be_visible()
    await screen(page, screens, "stations")


async def add_fill_ups(page: Page, screens) -> None:
    await go_to(page, "Fuel", "Fuel")
    form = page.get_by_role("form", name="Add a fill-up")
    for day, odometer, gallons, price, full, at_station in FILL_UPS:
        await form.get_by_label("Date and time").fill(day)
        await form.get_by_label("Odometer (mi)").fill(odometer)
        await form.get_by_label("Fuel (gal)").fill(gallons)
        await form.get_by_label("Price per gal").fill(price)
        await form.get_by_label("Station (optional)").select_option(label="Treats Sandwich Bar" if at_station else "Not set")
        full_tank = form.get_by_label("Filled the tank up (full)")
        if await full_tank.is_checked() != full:
            await full_tank.click()
        await form.get_by_role("button", name="Add fill-up").click()
        await expect(form.get_by_role("status")).to_contain_text(f"Fill-up added: {gallons} gal", timeout=EVENT_WAIT_MS)
    stats = page.get_by_role("region", name="Statistics")
    await expect(stats.get_by_text("30 MPG").first).to_be_visible()
    await expect(stats).to_contain_text("Fill-ups3")
    log = page.get_by_role("region", name="Fill-ups")
    await expect(log.get_by_text("Partial")).to_have_count(1)
    await expect(log.get_by_text("30 MPG")).to_have_count(1)
    chart = page.get_by_role("img", name=re.compile(r"^Economy per fill-up \(MPG\): 1 value"))
    await expect(chart).to_be_visible()
    assert (await chart.bounding_box())["height"] > 100
    await expect(page.get_by_role("img", name=re.compile(r"^Fuel cost per month: 1 value from 2026-04"))).to_be_visible()
    await screen(page, screens, "fuel")


async def edit_vehicle_and_add_document(page: Page, screens) -> None:
    await page.get_by_role("link", name="Edit").click()
    await expect(page.get_by_role("heading", level=1, name="Edit vehicle")).to_be_visible()
    await expect(page.get_by_label("Nickname")).to_have_value("Browser Tiguan")
    await page.get_by_label("Colour").fill("Pure White")
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.get_by_role("heading", level=1, name="Browser Tiguan")).to_be_visible()
    await expect(page.get_by_text("Pure White")).to_be_visible()

    expiry = (datetime.now(UTC).date() + timedelta(days=20)).isoformat()
    form = page.get_by_role("form", name="Add a document")
    await form.get_by_label("Title").fill("Insurance certificate")
    await form.get_by_label("Expiry date").fill(expiry)
    await form.get_by_label("File (PDF or image)").set_input_files(
        files=[{"name": "insurance.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%browser test\n"}])
    await form.get_by_role("button", name="Add document").click()
    documents = page.get_by_role("region", name="Documents")
    await expect(documents.get_by_role("listitem").filter(has_text="Insurance certificate")).to_contain_text(
        re.compile(r"Expires on .+ \(in (19|20|21) days\)"))


async def switch_units_and_back(page: Page) -> None:
    """The economy in the unit system chosen, remembered across a reload."""
    await page.get_by_label("Units").select_option("metric")
    stats = page.get_by_role("region", name="Statistics")
    await expect(stats).to_contain_text("7.84 L/100km")  # 30 MPG (US)
    await expect(page.get_by_role("form", name="Add a fill-up").get_by_label("Fuel (L)")).to_be_visible()
    await page.reload()
    await expect(page.get_by_label("Units")).to_have_value("metric")
    await expect(stats).to_contain_text("7.84 L/100km")
    await page.get_by_label("Units").select_option("imperial")
    await expect(stats).to_contain_text("30 MPG")


async def export_and_import_csv(page: Page, tmp_path) -> None:
    csv_section = page.get_by_role("region", name="CSV")
    async with page.expect_download() as download_info:
        await csv_section.get_by_role("button", name="Export CSV").click()
    exported = (await (await download_info.value).path()).read_text()
    lines = exported.strip().splitlines()
    assert lines[0].startswith("Date,Odometer") and len(lines) == 1 + len(FILL_UPS), exported
    csv_file = tmp_path / "more.csv"
    csv_file.write_text("Date,Odometer,Quantity,PricePerUnit,IsFullFill\n2026-05-01,1500,5,3.5,yes\n")
    await csv_section.get_by_label("CSV file to import").set_input_files(csv_file)
    await csv_section.get_by_role("button", name="Import CSV").click()
    await expect(csv_section.get_by_role("status")).to_have_text("Imported 1 fill-up.")
    await expect(page.get_by_role("region", name="Fill-ups").get_by_text("40 MPG")).to_be_visible()  # 200 mi on 5 gal


async def see_price_at_saved_station(page: Page) -> None:
    await go_to(page, "Stations", "Stations")
    saved = page.get_by_role("region", name="Saved stations")
    await expect(saved.get_by_role("list", name="Prices seen at Treats Sandwich Bar")).to_contain_text(
        "gasoline: 3.5 per gal", timeout=EVENT_WAIT_MS)


async def schedule_then_record(page: Page, screens) -> None:
    await go_to(page, "Service", "Service")
    last_done = (datetime.now(UTC).date() - timedelta(days=200)).isoformat()
    schedule = page.get_by_role("form", name="Add a schedule")
    await schedule.get_by_label("Engine Oil").check()
    await schedule.get_by_label("Every (months)").fill("6")
    await schedule.get_by_label("Every (mi)").fill("5000")
    await schedule.get_by_label("Last done on").fill(last_done)
    await schedule.get_by_label("Last done at (mi)").fill("1000")
    await schedule.get_by_role("button", name="Add schedule").click()
    upcoming = page.get_by_role("list", name="Upcoming service").get_by_role("listitem")
    await expect(upcoming).to_have_count(1, timeout=EVENT_WAIT_MS)
    await expect(upcoming.first).to_contain_text("Overdue")
    await expect(upcoming.first).to_contain_text(re.compile(r"Overdue by \d+ days"))
    await screen(page, screens, "service-overdue")

    record = page.get_by_role("form", name="Add a service record")
    await record.get_by_label("Engine Oil").check()
    await record.get_by_label("Odometer (mi)").fill("1500")  # the odometer of the imported fill-up
    await record.get_by_label("Cost").fill("49.99")
    await record.get_by_role("button", name="Add record").click()
    await expect(upcoming.first).to_contain_text("Not urgent")
    # The record completed the schedule: the next oil change is 5,000 mi after the record's 1,500.
    await expect(upcoming.first).to_contain_text("Due in 5,000 mi (at 6,500 mi)")
    await expect(page.get_by_role("region", name="Service records")).to_contain_text("49.99")
    await screen(page, screens, "service-not-urgent")


async def delete_vehicle(page: Page, screens) -> None:
    await go_to(page, "Garage", "Garage")
    await page.get_by_role("link", name="Browser Tiguan").click()
    await page.get_by_role("button", name="Delete vehicle").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("This cannot be undone")
    await screen(page, screens, "delete-confirmation")
    await dialog.get_by_role("button", name="Delete").click()
    await expect(page.get_by_role("heading", level=1, name="Garage")).to_be_visible()
    await expect(page.get_by_text("Your garage is empty")).to_be_visible()


async def sign_out(page: Page) -> None:
    await go_to(page, "Settings", "Settings")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("User name")).to_be_visible()
    # Nothing of the person stays on the device: no token, no offline copies of their data.
    assert await page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('mv.cache.') || k === 'mv.session')") == []
    await page.goto("/fuel")
    await expect(page.get_by_label("User name")).to_be_visible()
