"""Reading the exports of Fuelly, Fuelio, Drivvo, LubeLogger and our own (shared/imports)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from shared.imports import CsvProblem, fill_up_values, read_export, service_values
from shared.imports.table import day_first, parse_date, parse_decimal

pytestmark = pytest.mark.pure
SAMPLES = Path(__file__).parent / "fixtures" / "imports"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


@pytest.mark.parametrize(("name", "format", "fill_ups", "services", "ignored"), [
    ("fuelly_fuelups.csv", "fuelly", 4, 0, 0),
    ("fuelly_fuelups_metric.csv", "fuelly", 2, 0, 0),
    ("fuelly_services.csv", "fuelly", 0, 2, 2),
    ("fuelio.csv", "fuelio", 4, 1, 2),
    ("drivvo.csv", "drivvo", 3, 1, 1),
    ("lubelogger_gas.csv", "lubelogger", 4, 0, 0),
    ("lubelogger_service.csv", "lubelogger", 0, 3, 0),
    ("motovault_fuel_logs.csv", "motovault", 3, 0, 0),
])
def test_each_sample_is_recognised_from_its_header(name, format, fill_ups, services, ignored):
    file = read_export(sample(name))
    assert (file.format, len(file.fill_ups), len(file.services), len(file.ignored)) == (
        format, fill_ups, services, ignored)


def test_units_the_files_state():
    assert (read_export(sample("fuelly_fuelups.csv")).distance, read_export(sample("fuelly_fuelups.csv")).volume) == ("mi", "usgal")
    metric = read_export(sample("fuelly_fuelups_metric.csv"))
    assert (metric.distance, metric.volume) == ("km", "l")
    fuelio = read_export(sample("fuelio.csv"))
    assert (fuelio.distance, fuelio.volume) == ("km", "l")
    imperial = sample("fuelio.csv").replace('"Octavia","","0","0"', '"Octavia","","1","2"')
    assert (read_export(imperial).distance, read_export(imperial).volume) == ("mi", "impgal")
    drivvo = read_export(sample("drivvo.csv"))
    assert drivvo.distance is None and drivvo.metric_by_default


def test_fuelly_rows_partial_missed_and_us_dates():
    file = read_export(sample("fuelly_fuelups.csv"))
    rows = [fill_up_values(r, file) for r in file.fill_ups]
    assert rows[1].date_time == datetime(2026, 1, 12, tzinfo=UTC) and rows[1].full is False
    assert rows[3].missed is True and rows[3].price == D("3.250") and rows[3].total is None
    assert [r.line for r in file.fill_ups] == [2, 3, 4, 5]


def test_fuelio_total_and_price_per_unit_and_costs():
    file = read_export(sample("fuelio.csv"))
    first = fill_up_values(file.fill_ups[0], file)
    assert (first.total, first.price, first.fuel_type, first.odometer) == (D("70.06"), D("1.55"), "diesel", D("50000.0"))
    assert first.date_time == datetime(2026, 3, 1, 8, 15, tzinfo=UTC) and file.fill_ups[0].line == 6
    service = service_values(file.services[0], file)
    assert (service.title, service.category, service.cost, service.date) == (
        "Oil and filter change", "Service", D("89.90"), date(2026, 3, 15))


def test_drivvo_by_position_day_first_and_translated_flags():
    file = read_export(sample("drivvo.csv"))
    rows = [fill_up_values(r, file) for r in file.fill_ups]
    assert rows[2].date_time == datetime(2026, 2, 15, 9, 45, tzinfo=UTC)
    assert [r.full for r in rows] == [True, False, True] and rows[1].notes == "Trip · half tank"
    spanish = sample("drivvo.csv").replace("##Refuelling", "#Reabastecimiento").replace(",Yes,", ",Si,")
    assert read_export(spanish).format == "drivvo"
    assert fill_up_values(read_export(spanish).fill_ups[0], read_export(spanish)).full is True
    service = service_values(file.services[0], file)
    assert (service.title, service.shop, service.cost) == ("Oil change", "Oficina Central", D("250.00"))


def test_lubelogger_currency_costs_and_short_dates():
    file = read_export(sample("lubelogger_gas.csv"))
    rows = [fill_up_values(r, file) for r in file.fill_ups]
    assert rows[0].total == D("34.65") and rows[0].price == D("3.300") and rows[1].full is False
    assert rows[3].missed is True and rows[3].notes == "forgot one, oops"
    assert rows[2].date_time == datetime(2026, 2, 3, tzinfo=UTC)


@pytest.mark.parametrize(("texts", "default", "expected"), [
    (["03/04/2026"], False, False), (["03/04/2026"], True, True),
    (["03/04/2026", "25/04/2026"], False, True), (["04/25/2026"], True, False),
])
def test_day_or_month_first_from_the_whole_file(texts, default, expected):
    assert day_first(texts, default) is expected


def test_dates_numbers_and_times():
    assert parse_date("31.01.2026 14:05").isoformat() == "2026-01-31T14:05:00+00:00"
    assert parse_date("1/5/2026 3:04 PM").isoformat() == "2026-01-05T15:04:00+00:00"
    assert parse_date("2024-03-10 16:01").isoformat() == "2024-03-10T16:01:00+00:00"
    assert parse_date("05/01/2026", dayfirst=True).date() == date(2026, 1, 5)
    assert parse_decimal("1.234,56 €", "x") == D("1234.56") and parse_decimal("($5.00)", "x") == D("-5.00")
    with pytest.raises(CsvProblem):
        parse_date("31/31/2026")


def test_unknown_and_mismatched_files():
    with pytest.raises(CsvProblem) as unknown:
        read_export("foo,bar\n1,2\n")
    assert unknown.value.field == "header" and "fuelly, fuelio, drivvo, lubelogger, motovault" in str(unknown.value)
    with pytest.raises(CsvProblem) as named:
        read_export(sample("lubelogger_gas.csv"), "fuelly")
    assert "not a fuelly export" in str(named.value)
    with pytest.raises(CsvProblem):
        read_export("   \n")
