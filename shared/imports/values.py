"""One row's cells read as values, in the file's units: a fill-up or a service record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .formats import ExportFile, RawRow
from .table import CsvProblem, parse_date, parse_decimal, parse_flag

PRICE_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class FillUpValues:
    date_time: datetime
    odometer: Decimal | None
    trip: Decimal | None
    quantity: Decimal
    price: Decimal  # per unit of the file's volume
    total: Decimal | None  # as the file gave it (a receipt's total is kept), else None
    full: bool
    missed: bool
    notes: str | None
    fuel_type: str | None
    fuel_grade: str | None


@dataclass(frozen=True)
class ServiceValues:
    date: date
    odometer: Decimal | None
    cost: Decimal | None
    title: str  # the exporter's description of the work ("" when it gave none)
    category: str  # the exporter's own category label, if any
    subtypes: str  # our export's subtypes, "|"-separated
    shop: str | None
    notes: str | None


def _text(value: str) -> str | None:
    return value.strip() or None


def fill_up_values(row: RawRow, file: ExportFile) -> FillUpValues:
    """The row as a fill-up; CsvProblem names the first cell that cannot be read."""
    quantity = parse_decimal(row.get("quantity"), "quantity")
    price = parse_decimal(row.get("price"), "price")
    total = parse_decimal(row.get("total"), "total")
    if quantity is None:
        raise CsvProblem("quantity", "a quantity is required")
    if price is None or (price == 0 and total):
        if total is None:
            raise CsvProblem("price", "a price per unit or a total is required")
        if quantity <= 0:
            raise CsvProblem("quantity", "must be greater than 0")
        price = (total / quantity).quantize(PRICE_PLACES)
    if "full" in row.cells:
        full = parse_flag(row.get("full"), "full", True)
    elif "partial" in row.cells:
        full = not parse_flag(row.get("partial"), "partial", False)
    else:
        full = True
    return FillUpValues(
        date_time=parse_date(row.get("date"), dayfirst=file.dayfirst),
        odometer=parse_decimal(row.get("odometer"), "odometer"),
        trip=parse_decimal(row.get("trip"), "tripDistance") or None,  # Fuelly: 0 on the first fill-up
        quantity=quantity,
        price=price,
        total=total,
        full=full,
        missed=parse_flag(row.get("missed"), "missed", False),
        notes=_text(row.get("notes")),
        fuel_type=_text(row.get("fuel_type").lower()),
        fuel_grade=_text(row.get("fuel_grade")),
    )


def service_values(row: RawRow, file: ExportFile) -> ServiceValues:
    """The row as a service record; CsvProblem names the first cell that cannot be read. An
    odometer of 0 is taken as none (Fuelio and Drivvo write 0 when no reading was entered)."""
    odometer = parse_decimal(row.get("odometer"), "odometer")
    return ServiceValues(
        date=parse_date(row.get("date"), dayfirst=file.dayfirst).date(),
        odometer=odometer or None,
        cost=parse_decimal(row.get("cost"), "cost"),
        title=row.get("title").replace("_", " ").strip(),
        category=row.get("category").strip(),
        subtypes=row.get("subtypes").strip(),
        shop=_text(row.get("shop")),
        notes=_text(row.get("notes")),
    )


def trimmed(value: Decimal | None) -> Decimal | None:
    """Without trailing zeros (an exporter's "1.4490" is 1.449), so the places rules see the figure."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def key_figure(value: Decimal | None) -> str:
    """A figure as part of an import key: the same number always reads the same ("1.50" is "1.5")."""
    return "" if value is None else format(value.normalize(), "f")
