"""VIN rules without I/O: check digit, model year, offline decode, vPIC mapping, odometer readings."""

import json
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.vehicles.domain.odometer import reading_from_event
from services.vehicles.domain.vin import (
    MODEL_YEAR_CODES, VIN_INPUT_PATTERN, check_digit, check_digit_matches, is_valid_input, model_year, normalise_vin,
    offline_decode, vin_warnings,
)
from services.vehicles.domain.vpic import UnusableResponse, map_decode_result, parse_decode_body
from services.vehicles.domain.wmi import WMI_MANUFACTURERS

from .conftest import VPIC_FIXTURES

pytestmark = pytest.mark.pure

VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
vins = st.text(alphabet=VIN_ALPHABET, min_size=17, max_size=17)
TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("vin", "expected"),
    [
        ("1HGCM82633A004352", "3"),   # Honda Accord, vPIC error code 0
        ("1FTMW1T88MFA00001", "8"),   # Ford F-150, vPIC error code 0
        ("3VV3B7AXXNM077525", "X"),   # VW Tiguan: remainder 10 is written X
        ("WBA3A5C51CF256987", "7"),   # BMW 328i: carries 1, vPIC reports error code 1
    ],
)
def test_check_digit_of_known_vins(vin, expected):
    assert check_digit(vin) == expected


@given(vins)
def test_a_vin_carrying_its_computed_check_digit_matches(vin):
    fixed = vin[:8] + check_digit(vin) + vin[9:]
    assert check_digit_matches(fixed)
    assert vin_warnings(fixed) == []


@given(vins)
def test_any_other_check_digit_is_a_warning(vin):
    wrong = next(c for c in "0123456789X" if c != check_digit(vin))
    warnings = vin_warnings(vin[:8] + wrong + vin[9:])
    assert [w["code"] for w in warnings] == ["check_digit"]


def test_normalise_strips_separators_and_upper_cases():
    assert normalise_vin(" 1hgcm8-2633a 004352 ") == "1HGCM82633A004352"


@pytest.mark.parametrize(
    ("vin", "year"),
    [
        ("1HGCM82633A004352", 2003),  # position 7 a digit: the 1980-2009 cycle
        ("1FTMW1T88MFA00001", 2021),  # position 7 a letter: the 2010-2039 cycle
        ("3VV3B7AXXNM077525", 2022),
        ("WBA3A5C51CF256987", 2012),
        ("1G1YY2AG8Y5100001", 2000),  # Y with a letter at 7 would be 2030: not yet possible
    ],
)
def test_model_year_from_position_10(vin, year):
    assert model_year(vin, TODAY) == year


@given(st.integers(min_value=1980, max_value=2027))
def test_every_model_year_round_trips(year):
    code = MODEL_YEAR_CODES[(year - 1980) % 30]
    position_7 = "A" if year >= 2010 else "1"
    vin = f"1HGCM8{position_7}63{code}004352"
    assert model_year(vin, TODAY) == year


@pytest.mark.parametrize("code", ["U", "Z", "0"])
def test_codes_that_are_no_year_give_no_year(code):
    assert model_year(f"1HGCM8263{code}A004352", TODAY) is None


@given(vins)
def test_offline_decode_never_fails_and_says_it_is_offline(vin):
    decoded = offline_decode(vin, TODAY)
    assert decoded["source"] == "offline" and decoded["vin"] == vin
    assert decoded["warnings"][0]["code"] == "offline"
    assert decoded.get("year") is None or 1980 <= decoded["year"] <= 2027


def test_offline_decode_names_year_and_manufacturer():
    assert offline_decode("1FTMW1T88MFA00001", TODAY) | {"warnings": []} == {
        "vin": "1FTMW1T88MFA00001", "source": "offline", "year": 2021, "manufacturer": "Ford", "warnings": []}


def test_wmi_table_covers_at_least_a_hundred_manufacturer_codes():
    assert len(WMI_MANUFACTURERS) >= 100
    assert all(len(wmi) == 3 and wmi.isalnum() and wmi == wmi.upper() for wmi in WMI_MANUFACTURERS)
    assert {WMI_MANUFACTURERS[w] for w in ("1HG", "JTD", "WBA", "3VW", "5YJ", "KMH")} == {
        "Honda (USA)", "Toyota", "BMW", "Volkswagen (Mexico)", "Tesla", "Hyundai"}


def result_of(fixture: str) -> dict:
    return parse_decode_body((VPIC_FIXTURES / fixture).read_bytes())


def test_vpic_mapping_keeps_our_fields_and_drops_empty_ones():
    decoded = map_decode_result("3VV3B7AXXNM077525", result_of("decode_vin_values_3VV3B7AXXNM077525.json"))
    assert decoded == {
        "vin": "3VV3B7AXXNM077525", "source": "vpic", "year": 2022, "make": "VOLKSWAGEN", "model": "Tiguan",
        "trimLevel": "SE", "engine": "2.0L 4-cylinder", "engineDisplacementL": "2.0", "engineCylinders": 4,
        "transmission": "Automatic 8-speed", "fuelType": "Gasoline",
        "bodyClass": "Sport Utility Vehicle [SUV]/Multipurpose Vehicle [MPV]",
        "manufacturer": "VOLKSWAGEN DE MEXICO SA DE CV", "warnings": [],
    }


def test_vpic_error_codes_become_warnings():
    decoded = map_decode_result(
        "WBA3A5C51CF256987", result_of("decode_vin_values_WBA3A5C51CF256987_errorcode1_checkdigit.json"))
    assert decoded["warnings"] == [{"source": "vpic", "code": "1",
                                    "message": "1 - Check Digit (9th position) does not calculate properly"}]
    assert (decoded["make"], decoded["model"], decoded["engine"]) == ("BMW", "328i", "2.0L 4-cylinder")


def test_several_error_codes_are_several_warnings():
    body = json.loads((VPIC_FIXTURES / "decode_vin_values_batch_errorcodes.json").read_bytes())
    tesla = body["Results"][1]
    codes = [w["code"] for w in map_decode_result("5YJSA3DS0EF000000", tesla)["warnings"]]
    assert codes[:3] == ["5", "6", "14"]


def test_the_row_shaped_decode_vin_answer_is_read_too():
    decoded = map_decode_result("1FTMW1T88MFA00001", result_of("decode_vin_1FTMW1T88MFA00001.json"))
    assert (decoded["year"], decoded["make"], decoded["model"], decoded["engine"], decoded["driveType"]) == (
        2021, "FORD", "F-150", "3.5L 6-cylinder", "4WD/4-Wheel Drive/4x4")


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[]", b'{"Results": []}', b'{"Results": "x"}', b"null",
                                  b'{"message": "No HTTP resource was found"}'])
def test_garbage_is_unusable(body):
    with pytest.raises(UnusableResponse):
        parse_decode_body(body)


@pytest.mark.parametrize(
    ("value", "miles"),
    [(1200, 1200), (1200.9, 1200), ("1200.5", 1200), (0, 0), (None, None), (-3, None), (True, None),
     ("abc", None), (float("nan"), None), (1e30, None)],
)
def test_event_readings_are_whole_miles_or_nothing(value, miles):
    assert reading_from_event(value) == miles


@pytest.mark.parametrize(("sent", "accepted"), [
    ("1hgcm82633a004352", True),  # any case
    (" 1HG-CM8 2633A004352\n", True),  # typed or pasted separators
    ("1HGCM8\u00a02633A004352", True),  # a no-break space from a web page
    ("1HGCM82633A00435", False),  # 16 characters
    ("1HGCM82633A0043Q2", False),  # Q is never in a VIN
    ("\u017fHGCM82633A004352", False),  # long s: upper-cases to S, but is not what the schema allows
    ("1HGCM82633A004352\x1c", False),  # a separator Python calls whitespace and JSON Schema does not
])
def test_the_schema_pattern_and_the_rule_agree(sent, accepted):
    # The API's JSON Schema states VIN_INPUT_PATTERN; the rule must accept exactly what it matches.
    assert bool(re.fullmatch(VIN_INPUT_PATTERN, sent)) is accepted
    assert is_valid_input(sent) is accepted
