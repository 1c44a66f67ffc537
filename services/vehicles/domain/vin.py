"""VIN rules (ISO 3779 / 49 CFR 565), free of I/O: format, check digit, model year, offline decode."""

from __future__ import annotations

import re
from datetime import date

from .wmi import manufacturer_for

VIN_LENGTH = 17
VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # never I, O or Q (confused with 1 and 0)
FORMAT_MESSAGE = "VIN must be 17 characters of A-Z and 0-9, without I, O or Q"
# What a caller may send: the 17 characters in either case, with the spaces, tabs, line breaks,
# no-break spaces and dashes people type or paste around and between them. One pattern for this
# check and the API's JSON Schema (valid both as a Python and an ECMA-262 regex), so a generated
# client knows exactly what is accepted.
_SEPARATOR = r"[ \t\n\r\f\v\u00a0-]"
VIN_INPUT_PATTERN = rf"^{_SEPARATOR}*(?:[A-HJ-NPR-Za-hj-npr-z0-9]{_SEPARATOR}*){{17}}$"
_VIN_INPUT = re.compile(VIN_INPUT_PATTERN)

# Letters count as numbers in the check digit sum (49 CFR 565.15, table IV).
_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
CHECK_DIGIT_POSITION = 8  # 0-based: the 9th character

# Position 10 cycles through these every 30 years, starting with A = 1980.
MODEL_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
FIRST_CYCLE_START = 1980


def normalise_vin(vin: str) -> str:
    """Upper case without the spaces and dashes people type or paste."""
    return re.sub(_SEPARATOR, "", vin).upper()


def is_valid_input(vin: str) -> bool:
    """Whether `vin` as sent normalises to a well-formed VIN (VIN_INPUT_PATTERN)."""
    return bool(_VIN_INPUT.match(vin))


def is_valid_format(vin: str) -> bool:
    return bool(VIN_PATTERN.match(vin))


def check_digit(vin: str) -> str:
    """The check digit a well-formed VIN should carry at position 9 ("X" stands for 10)."""
    total = sum(_TRANSLITERATION[char] * weight for char, weight in zip(vin, _WEIGHTS))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def check_digit_matches(vin: str) -> bool:
    return vin[CHECK_DIGIT_POSITION] == check_digit(vin)


def vin_warnings(vin: str | None) -> list[dict[str, str]]:
    """Problems worth telling the user that do not make the VIN unusable.

    A wrong check digit is only a warning: many VINs from outside North America carry none.
    """
    if not vin or not is_valid_format(vin) or check_digit_matches(vin):
        return []
    return [{
        "source": "vin",
        "code": "check_digit",
        "message": f"Check digit (9th character) is {vin[CHECK_DIGIT_POSITION]}, expected {check_digit(vin)}; "
                   "please double-check the VIN (VINs from outside North America often have none)",
    }]


def model_year(vin: str, today: date | None = None) -> int | None:
    """The model year coded at position 10, or None when the code is not a year code.

    The code repeats every 30 years. Since 2010, vehicles for North America put a letter at
    position 7 in the newer cycle and a digit in the older one; a year after next year is
    impossible, so the older cycle wins then.
    """
    index = MODEL_YEAR_CODES.find(vin[9]) if len(vin) >= 10 else -1
    if index < 0:
        return None
    older = FIRST_CYCLE_START + index
    newer = older + 30
    latest_possible = (today or date.today()).year + 1
    if vin[6].isalpha() and newer <= latest_possible:
        return newer
    return older


def offline_decode(vin: str, today: date | None = None) -> dict:
    """What the VIN itself tells without vPIC: the model year and the manufacturer (from the WMI)."""
    decoded: dict = {"vin": vin, "source": "offline"}
    year = model_year(vin, today)
    if year is not None:
        decoded["year"] = year
    manufacturer = manufacturer_for(vin)
    if manufacturer is not None:
        decoded["manufacturer"] = manufacturer
    decoded["warnings"] = [
        {"source": "decoder", "code": "offline",
         "message": "The NHTSA decoder is unavailable; decoded offline from the VIN (model year and manufacturer only)"},
        *vin_warnings(vin),
    ]
    return decoded
