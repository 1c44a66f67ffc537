"""The cells of a CSV export: records with their line numbers, sections, numbers, flags and dates."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation


class CsvProblem(ValueError):
    """What is wrong with a file or a cell, named by the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Section:
    """A table of the file: its header and its data records as (line number, cells)."""

    name: str
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def key(name: str) -> str:
    """A column name reduced to lower-case letters and digits: "Is Fill To Full" -> "isfilltofull"."""
    return re.sub(r"[^a-z0-9]", "", name.strip().lower())


def detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Every non-blank record with the line it starts on (line 1 is the file's first)."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    reader = csv.reader(io.StringIO(text), delimiter=detect_delimiter(first))
    records, next_line = [], 1
    try:
        for cells in reader:
            start, next_line = next_line, reader.line_num + 1
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
    except csv.Error as exc:
        raise CsvProblem("file", f"line {next_line}: {exc}") from None
    return records


def section_name(cells: list[str]) -> str | None:
    """The name of a section marker ("## Log", "##Refuelling", "#Servicio"), None for data."""
    first = cells[0].strip().strip('"') if cells else ""
    if not first.startswith("#"):
        return None
    return first.lstrip("#").strip().lower()


def read_sections(text: str) -> list[Section]:
    """The file's tables. A file without section markers is one section named ""."""
    text = text.lstrip("\ufeff")
    sections: list[Section] = []
    current: Section | None = None
    for line, cells in _records(text):
        name = section_name(cells)
        if name is not None:
            current = Section(name)
            sections.append(current)
            continue
        if current is None:
            current = Section("")
            sections.append(current)
        if not current.header:
            current.header = [cell.strip() for cell in cells]
        else:
            current.rows.append((line, cells))
    return sections


# Currency marks exporters put in money cells (LubeLogger writes the server's currency format).
CURRENCY = re.compile(r"R\$|[$€£¥₹]|^(?:EUR|USD|GBP|BRL|PLN|CZK|CHF|SEK|NOK|DKK|CAD|AUD|INR|HUF|RON|TRY|ZAR|MXN)|"
                      r"(?:EUR|USD|GBP|BRL|PLN|CZK|CHF|SEK|NOK|DKK|CAD|AUD|INR|HUF|RON|TRY|ZAR|MXN|zł|Kč|kr)$")


def parse_decimal(text: str, field: str) -> Decimal | None:
    """A number as people and apps write it: 45,67 or 45.67, 1.234,5 or 1,234.5, $3.299, 12 345."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    cleaned = CURRENCY.sub("", cleaned)
    negative = cleaned.startswith("(") and cleaned.endswith(")")  # accounting format: ($5.00)
    cleaned = cleaned.strip("()")
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
    return -value if negative else value


# Yes and no in the words the exporters use (Drivvo writes the phone's language).
TRUE = {"true", "yes", "y", "1", "x", "full", "ja", "oui", "si", "sí", "sim", "tak", "da", "evet", "vero"}
FALSE = {"false", "no", "n", "0", "", "partial", "nein", "non", "nao", "não", "nie", "ne", "hayır", "falso"}


def parse_flag(text: str, field: str, default: bool) -> bool:
    value = text.strip().lower()
    if value == "":
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise CsvProblem(field, f"{text!r} is not yes/no")


_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T,]+(.*))?$")
_TIMES = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%I:%M:%S%p", "%I:%M%p")


def day_first(texts: list[str], default: bool) -> bool:
    """Whether a/b/yyyy dates in this file are day-first: a part over 12 settles it, else the
    exporter's habit (`default`). Dotted dates (31.01.2026) are always day-first."""
    firsts = seconds = False
    for text in texts:
        match = _NUMERIC_DATE.match(text.strip())
        if match and match.group(2) != ".":
            firsts |= int(match.group(1)) > 12
            seconds |= int(match.group(3)) > 12
    if firsts != seconds:
        return firsts
    return default


def parse_date(text: str, field: str = "date", *, dayfirst: bool = False) -> datetime:
    """ISO 8601 (date, date and time, with or without offset), YYYY/MM/DD, or a/b/yyyy with an
    optional time (24 h or AM/PM); a/b is day/month when `dayfirst` (or dotted), else month/day.
    Without an offset the time is taken as UTC."""
    text = text.strip()
    parsed = None
    try:
        parsed = datetime.fromisoformat(text.replace("/", "-")) if re.match(r"^\d{4}[-/]", text) else None
    except ValueError:
        parsed = None
    match = _NUMERIC_DATE.match(text) if parsed is None else None
    if match:
        a, mark, b, year, clock = match.groups()
        day, month = (a, b) if dayfirst or mark == "." else (b, a)
        year = int(year) + (2000 if int(year) < 70 else 1900) if len(year) == 2 else int(year)
        try:
            parsed = datetime(year, int(month), int(day))
            if clock:
                parsed = _with_time(parsed, clock.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise CsvProblem(field, f"{text!r} is not a date (YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or MM/DD/YYYY)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _with_time(day: datetime, clock: str) -> datetime:
    for pattern in _TIMES:
        try:
            moment = datetime.strptime(clock.upper(), pattern)
        except ValueError:
            continue
        return day.replace(hour=moment.hour, minute=moment.minute, second=moment.second)
    raise ValueError(clock)
