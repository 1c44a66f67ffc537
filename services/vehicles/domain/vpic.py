"""Reading NHTSA vPIC decode responses into our fields, free of I/O.

vPIC answers HTTP 200 even for bad VINs and reports problems in `ErrorCode` (a comma-separated
list) and `ErrorText` (the matching texts joined by "; "). Every flat value is a string, "" when
unknown; fields come and go between versions, so unknown keys are ignored and missing ones tolerated.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from .vin import vin_warnings

# Values vPIC uses to say "nothing here".
_EMPTY = {"", "not applicable", "n/a", "null"}

# The older DecodeVin endpoint answers one {Variable, Value} row per field instead of one flat object.
_ROW_VARIABLES = {
    "Model Year": "ModelYear", "Make": "Make", "Model": "Model", "Trim": "Trim",
    "Displacement (L)": "DisplacementL", "Engine Number of Cylinders": "EngineCylinders",
    "Transmission Style": "TransmissionStyle", "Transmission Speeds": "TransmissionSpeeds",
    "Drive Type": "DriveType", "Fuel Type - Primary": "FuelTypePrimary",
    "Fuel Type - Secondary": "FuelTypeSecondary", "Body Class": "BodyClass",
    "Manufacturer Name": "Manufacturer", "Error Code": "ErrorCode", "Error Text": "ErrorText",
}


class UnusableResponse(ValueError):
    """The body is not a vPIC decode answer (garbage, an error page, another API's shape)."""


def parse_decode_body(body: bytes) -> dict[str, str]:
    """The first decode result of a vPIC body as a flat {Variable: value} dict."""
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UnusableResponse(f"not JSON: {exc}") from None
    results = envelope.get("Results") if isinstance(envelope, dict) else None
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        raise UnusableResponse("no decode results in the body")
    if "Variable" in results[0]:
        flat = {}
        for row in results:
            if isinstance(row, dict) and row.get("Variable") in _ROW_VARIABLES:
                flat[_ROW_VARIABLES[row["Variable"]]] = row.get("Value")
        return flat
    return results[0]


def _clean(value: Any) -> str | None:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None
    text = str(value).strip()
    return None if text.lower() in _EMPTY else text


def _as_int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _litres(value: str | None) -> str | None:
    """"2.00" and "1.998" read as "2.0": the way engines are named."""
    try:
        litres = Decimal(value).quantize(Decimal("0.1")) if value is not None else None
    except InvalidOperation:
        return None
    return str(litres) if litres is not None and litres > 0 else None


def error_warnings(result: dict[str, Any]) -> list[dict[str, str]]:
    codes = [code.strip() for code in (_clean(result.get("ErrorCode")) or "").split(",") if code.strip()]
    texts = [t.strip() for t in (_clean(result.get("ErrorText")) or "").split(";") if t.strip()]
    warnings = []
    for code in codes:
        if code == "0":
            continue
        message = next((t for t in texts if t.startswith(f"{code} - ")), None) or f"vPIC error code {code}"
        warnings.append({"source": "vpic", "code": code, "message": message})
    return warnings


def map_decode_result(vin: str, result: dict[str, Any]) -> dict:
    """Our decode answer: the vehicle's fields the form can use, empty ones dropped, plus warnings."""
    value = {key: _clean(result.get(key)) for key in _ROW_VARIABLES.values()}
    litres = _litres(value["DisplacementL"])
    cylinders = _as_int(value["EngineCylinders"])
    speeds = _as_int(value["TransmissionSpeeds"])
    engine = " ".join(part for part in (
        f"{litres}L" if litres else None, f"{cylinders}-cylinder" if cylinders else None) if part)
    transmission = " ".join(part for part in (
        value["TransmissionStyle"], f"{speeds}-speed" if speeds else None) if part)
    decoded = {
        "vin": vin,
        "source": "vpic",
        "year": _as_int(value["ModelYear"]),
        "make": value["Make"],
        "model": value["Model"],
        "trimLevel": value["Trim"],
        "engine": engine or None,
        "engineDisplacementL": litres,
        "engineCylinders": cylinders,
        "transmission": transmission or None,
        "driveType": value["DriveType"],
        "fuelType": value["FuelTypePrimary"],
        "fuelTypeSecondary": value["FuelTypeSecondary"],
        "bodyClass": value["BodyClass"],
        "manufacturer": value["Manufacturer"],
    }
    decoded = {key: field for key, field in decoded.items() if field is not None}
    # Our own check digit warning would repeat vPIC's error code 1.
    own = [] if any(w["code"] == "1" for w in error_warnings(result)) else vin_warnings(vin)
    decoded["warnings"] = [*error_warnings(result), *own]
    return decoded
