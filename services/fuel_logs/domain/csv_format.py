"""CSV in the common tracker format (LubeLogger, Fuelly, Hammond-style exports), both ways.

Import reads a header row whose column names may be any of the usual aliases, with `,`, `;` or
tab separators and decimal commas (`45,67`, `1.234,5`). Each row becomes the same API input a
POST takes, so one set of rules applies; problems are reported per row and column.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from pydantic import ValidationError

from shared.errors import FieldProblem, InvalidInput, field_problems

from .fill_ups import FuelLogInput, FuelType, entered_values, rule_violations, stored_values
from .units import UnitSystem

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "datetime", "filldate", "fuelupdate", "day"),
    "odometer": ("odometer", "odo", "mileage", "odometerreading", "km", "miles"),
    "trip": ("tripdistance", "trip", "distance", "tripmiles", "tripkm"),
    "quantity": ("quantity", "fuelunits", "fuelconsumed", "gallons", "litres", "liters", "volume",
                 "fuelamount", "amount", "fuel", "kwh"),
    "price": ("price", "priceperunit", "costperunit", "unitprice", "rate", "pricepergallon",
              "priceperlitre", "priceperliter"),
    "total": ("total", "totalcost", "cost", "totalprice", "totalamount"),
    "full": ("full", "isfullfill", "isfilltofull", "fullfill", "fulltank", "tankfull", "filled"),
    "partial": ("partial", "partialfill", "ispartial"),
    "missed": ("missed", "missedprevious", "missedfuelup", "missedfillup", "missedlast"),
    "notes": ("notes", "note", "comment", "comments"),
    "fuel_type": ("fueltype", "type"),
    "fuel_grade": ("fuelgrade", "grade", "octane"),
}
TRUE = {"true", "yes", "y", "1", "x", "full", "ja", "oui", "si"}
FALSE = {"false", "no", "n", "0", "", "partial", "nein", "non"}
EXPORT_HEADER = ["Date", "Odometer", "TripDistance", "Quantity", "PricePerUnit", "TotalCost", "FuelType",
                 "FuelGrade", "IsFullFill", "MissedPrevious", "Efficiency", "Notes"]


class CsvProblem(ValueError):
    """What is wrong with a file or a cell; `rows_to_store` reports it as invalid input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def as_problem(self) -> FieldProblem:
        return FieldProblem(self.field, str(self), "csv")


class InvalidRows(InvalidInput):
    """Rows that break the rules; each problem is reported with its line number."""

    def __init__(self, problems: list[tuple[int, FieldProblem]]) -> None:
        super().__init__(*(problem for _, problem in problems),
                         message=f"{len({line for line, _ in problems})} invalid row(s); nothing imported")
        self.lines = [line for line, _ in problems]

    def details(self) -> list[dict[str, Any]]:
        return [{"row": line, **asdict(problem)} for line, problem in zip(self.lines, self.problems)]


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def map_columns(header: list[str]) -> dict[str, int]:
    lookup = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
    mapped: dict[str, int] = {}
    for index, name in enumerate(header):
        column = lookup.get(_key(name))
        if column is not None and column not in mapped:
            mapped[column] = index
    return mapped


def parse_decimal(text: str, field: str) -> Decimal | None:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    for symbol in "$€£":
        cleaned = cleaned.replace(symbol, "")
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        # The later mark is the decimal one: 1,234.5 and 1.234,5 both mean 1234.5.
        thousands = "," if cleaned.rfind(",") < cleaned.rfind(".") else "."
        cleaned = cleaned.replace(thousands, "")
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise CsvProblem(field, f"{text!r} is not a number") from None
    if not value.is_finite():
        raise CsvProblem(field, f"{text!r} is not a number")
    return value


DATE_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
                "%m/%d/%Y", "%Y/%m/%d %H:%M", "%Y/%m/%d")


def parse_date(text: str) -> datetime:
    """ISO 8601 (with or without offset), DD.MM.YYYY or MM/DD/YYYY; no offset means UTC."""
    text = text.strip()
    parsed = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for pattern in DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        raise CsvProblem("date", f"{text!r} is not a date (use YYYY-MM-DD, DD.MM.YYYY or MM/DD/YYYY)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_flag(text: str, field: str, default: bool) -> bool:
    value = text.strip().lower()
    if value == "":
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise CsvProblem(field, f"{text!r} is not yes/no")


def read_rows(text: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """Column positions and the data rows with their line numbers (the header is line 1)."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CsvProblem("header", "the file is empty")
    reader = csv.reader(io.StringIO(text), delimiter=detect_delimiter(lines[0]))
    header = next(reader)
    columns = map_columns(header)
    missing = [c for c in ("date", "quantity") if c not in columns]
    if "odometer" not in columns and "trip" not in columns:
        missing.append("odometer or tripDistance")
    if "price" not in columns and "total" not in columns:
        missing.append("price or total")
    if missing:
        raise CsvProblem("header", "missing columns: " + ", ".join(missing))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    return columns, rows


def row_to_input(columns: dict[str, int], row: list[str]) -> tuple[dict[str, Any], Decimal | None]:
    """One row as the camelCase body of a POST, plus the row's total cost if it gave one."""

    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else ""

    quantity = parse_decimal(cell("quantity"), "quantity")
    price = parse_decimal(cell("price"), "price")
    total = parse_decimal(cell("total"), "total")
    if quantity is None:
        raise CsvProblem("quantity", "a quantity is required")
    if price is None:
        if total is None:
            raise CsvProblem("price", "a price per unit or a total is required")
        if quantity <= 0:
            raise CsvProblem("quantity", "must be greater than 0")
        price = (total / quantity).quantize(Decimal("0.001"))
    if "partial" in columns and "full" not in columns:
        full = not parse_flag(cell("partial"), "partial", False)
    else:
        full = parse_flag(cell("full"), "full", True)
    body: dict[str, Any] = {
        "dateTime": parse_date(cell("date")).isoformat(),
        "odometerReading": parse_decimal(cell("odometer"), "odometer"),
        "tripDistance": parse_decimal(cell("trip"), "tripDistance"),
        "fuelUnits": quantity,
        "costPerUnit": price,
        "isFullFill": full,
        "missedPrevious": parse_flag(cell("missed"), "missed", False),
        "notes": cell("notes").strip() or None,
    }
    if cell("fuel_type").strip():
        body["fuelType"] = cell("fuel_type").strip().lower()
    if cell("fuel_grade").strip():
        body["fuelGrade"] = cell("fuel_grade").strip()
    return body, total


def rows_to_store(
    text: str, vehicle_id: uuid.UUID, default_fuel: FuelType, system: UnitSystem, max_rows: int
) -> list[dict[str, Any]]:
    """Every row of the file as stored values, or InvalidInput naming every problem of every row."""
    try:
        columns, rows = read_rows(text)
    except CsvProblem as problem:
        raise InvalidInput(problem.as_problem(), message="CSV file not readable; nothing imported") from None
    if len(rows) > max_rows:
        raise InvalidInput(message=f"At most {max_rows} rows per import; nothing imported")
    if not rows:
        raise InvalidInput(message="The CSV file has no data rows; nothing imported")
    to_store: list[dict[str, Any]] = []
    problems: list[tuple[int, FieldProblem]] = []
    for line, cells in rows:
        try:
            stored, row_problems = _checked_row(columns, cells, vehicle_id, default_fuel, system)
        except CsvProblem as problem:
            stored, row_problems = None, [problem.as_problem()]
        problems += [(line, p) for p in row_problems]
        if stored is not None:
            to_store.append(stored)
    if problems:
        raise InvalidRows(problems)
    return to_store


def _checked_row(columns, cells, vehicle_id, default_fuel, system) -> tuple[dict | None, list[FieldProblem]]:
    """A row as stored values, or its problems (same model and rules as POST /api/fuel-logs)."""
    body, given_total = row_to_input(columns, cells)
    try:
        fill_up = FuelLogInput.model_validate({**body, "vehicleId": str(vehicle_id)})
    except ValidationError as exc:
        return None, field_problems(exc)
    entered = entered_values(fill_up)
    entered["fuel_type"] = fill_up.fuel_type or default_fuel
    violations = rule_violations(entered)
    if violations:
        return None, violations
    return stored_values(entered, system, given_total), []


def write_csv(views: Iterable[dict[str, Any]]) -> str:
    """Export rows (API views), oldest first, in the same format import reads back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    for v in sorted(views, key=lambda v: (v["dateTime"], v["id"])):
        writer.writerow([
            v["dateTime"], _text(v["odometerReading"]), _text(v["tripDistance"]), _text(v["fuelUnits"]),
            _text(v["costPerUnit"]), _text(v["totalCost"]), v["fuelType"], v["fuelGrade"] or "",
            "yes" if v["isFullFill"] else "no", "yes" if v["missedPrevious"] else "no",
            _text(v["efficiency"]), v["notes"] or "",
        ])
    return out.getvalue()


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)
