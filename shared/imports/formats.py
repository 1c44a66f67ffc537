"""Which app wrote a file, and its rows by kind under our field names.

Where each format's columns come from (the apps' own code or documentation, or importers that
read them; the samples in services/*/tests/fixtures/imports/ follow these):

- fuelly: per-vehicle `fuelups.csv` (`car_name, model, odometer, miles|km, gallons|litres, price,
  city_percentage, fuelup_date, date_added, tags, notes, missed_fuelup, partial_fuelup, latitude,
  longitude, brand`; the distance and volume columns name the account's units, `price` is per
  unit, headers may carry stray spaces) and `services.csv` (`service_type, service_date, odometer,
  price, sub_service_types, notes`). Sources: LubeLogger's import mapper (hargata/lubelog
  MapProfile/ImportMappers.cs, docs "Importing from CSV/Fuelly") and other projects' Fuelly
  importers read from real exports.
- fuelio: one file in sections (`## Vehicle`, `## Log`, `## CostCategories`, `## Costs`, ...);
  Vehicle `DistUnit` 0 km / 1 mi, `FuelUnit` 0 litres / 1 US gal / 2 imperial gal,
  `ImportCSVDateFormat`; Log `Data, Odo (km), Fuel (litres), Full, Price (optional) [total],
  ..., Notes (optional), Missed, TankNumber, FuelType, VolumePrice [per unit]`; Costs `CostTitle,
  Date, Odo, CostTypeID, Notes, Cost, ..., isTemplate, ..., isIncome`. Sources: a Fuelio backup
  in tigattack/lubelogger-fuelio-importer, the writer in Programistyk/FuelioImport.
- drivvo: sections `##Vehicle`, `##Refuelling` (or the phone's language: `#Reabastecimiento`),
  `##Service`, `##Expense`; headers are translated, so columns are read by position: refuelling
  odometer, date, fuel, price per unit, total cost, volume, full tank (Yes/Si/Ja/Tak), ...,
  reason and notes at 18 and 19; service odometer, date, total cost, title, place, notes. No units
  in the file (km and litres unless the caller says otherwise). Sources: akhilrex/hammond
  drivvoImportService.go, Programistyk/FuelioImport DrivvoProvider.
- lubelogger: gas records `Date, Odometer, FuelConsumed, Cost [total, currency-formatted],
  FuelEconomy, IsFillToFull, MissedFuelUp, Notes, Tags, extrafield_*`; service/repair/upgrade
  records `Date, Description, Cost, Notes, Odometer, Tags`; dates in the server's short date
  format, units whatever the user set (hargata/lubelog StaticHelper.Write*ExportModel).
- motovault: our own exports (fuel_logs `Date, Odometer, TripDistance, Quantity, PricePerUnit,
  TotalCost, FuelType, FuelGrade, IsFullFill, MissedPrevious, Efficiency, Notes`, maintenance
  `Date, Category, Subtypes, Odometer, Cost, ShopName, Notes`), and any table whose columns are
  among the usual aliases below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .table import CsvProblem, Section, day_first, key, read_sections

FORMATS = ("fuelly", "fuelio", "drivvo", "lubelogger", "motovault")


@dataclass
class RawRow:
    """One data record: its line in the file and its cells under our field names."""

    line: int
    cells: dict[str, str]

    def get(self, name: str) -> str:
        return self.cells.get(name, "") or ""


@dataclass
class ExportFile:
    format: str
    fill_ups: list[RawRow] = field(default_factory=list)
    services: list[RawRow] = field(default_factory=list)
    ignored: list[RawRow] = field(default_factory=list)  # neither (tolls, parking, notes, income)
    distance: str | None = None  # "km" or "mi" when the file says
    volume: str | None = None  # "l", "usgal" or "impgal" when the file says
    metric_by_default: bool = False  # what the exporter writes when neither file nor caller says
    dayfirst: bool = False

    @property
    def rows(self) -> int:
        return len(self.fill_ups) + len(self.services) + len(self.ignored)


# --- motovault: our export and the usual aliases --------------------------------------------------

FUEL_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "datetime", "filldate", "fuelupdate", "day"),
    "odometer": ("odometer", "odo", "mileage", "odometerreading"),
    "trip": ("tripdistance", "trip", "distance", "tripmiles", "tripkm"),
    "quantity": ("quantity", "fuelunits", "fuelconsumed", "gallons", "litres", "liters", "volume",
                 "fuelamount", "amount", "fuel", "kwh"),
    "price": ("price", "priceperunit", "costperunit", "unitprice", "rate", "pricepergallon",
              "priceperlitre", "priceperliter"),
    "total": ("total", "totalcost", "cost", "totalprice", "totalamount"),
    "full": ("full", "isfullfill", "isfilltofull", "fullfill", "fulltank", "tankfull", "filled", "filledup"),
    "partial": ("partial", "partialfill", "ispartial", "partialfuelup", "partialtank"),
    "missed": ("missed", "missedprevious", "missedfuelup", "missedfillup", "missedlast"),
    "notes": ("notes", "note", "comment", "comments"),
    "fuel_type": ("fueltype", "type"),
    "fuel_grade": ("fuelgrade", "grade", "octane"),
}
SERVICE_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "servicedate"),
    "odometer": ("odometer", "odo", "mileage", "odometerreading"),
    "cost": ("cost", "totalcost", "price", "total"),
    "category": ("category",),
    "subtypes": ("subtypes",),
    "title": ("description", "title", "service"),
    "shop": ("shopname", "shop", "place", "location"),
    "notes": ("notes", "note", "comment", "comments"),
}


def _columns(header: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    lookup = {alias: name for name, names in aliases.items() for alias in names}
    mapped: dict[str, int] = {}
    for index, column in enumerate(header):
        name = lookup.get(key(column))
        if name is not None and name not in mapped:
            mapped[name] = index
    return mapped


def _by_name(section: Section, columns: dict[str, int]) -> list[RawRow]:
    return [RawRow(line, {name: cells[i] if i < len(cells) else "" for name, i in columns.items()})
            for line, cells in section.rows]


def _by_position(section: Section, positions: dict[str, int]) -> list[RawRow]:
    return _by_name(section, positions)


def _fuel_columns_missing(columns: dict[str, int]) -> list[str]:
    missing = [c for c in ("date", "quantity") if c not in columns]
    if "odometer" not in columns and "trip" not in columns:
        missing.append("odometer or tripDistance")
    if "price" not in columns and "total" not in columns:
        missing.append("price or total")
    return missing


def _motovault(sections: list[Section]) -> ExportFile:
    table = sections[0]
    keys = {key(h) for h in table.header}
    if {"category", "subtypes"} <= keys:
        columns = _columns(table.header, SERVICE_ALIASES)
        _require(columns, ("date",), "motovault")
        return ExportFile("motovault", services=_by_name(table, columns))
    columns = _columns(table.header, FUEL_ALIASES)
    missing = _fuel_columns_missing(columns)
    if missing:
        raise CsvProblem("header", "missing columns: " + ", ".join(missing))
    return ExportFile("motovault", fill_ups=_by_name(table, columns))


def _require(columns: dict[str, int], names: tuple[str, ...], format: str) -> None:
    missing = [name for name in names if name not in columns]
    if missing:
        raise CsvProblem("header", f"not a {format} export: missing columns {', '.join(missing)}")


# --- fuelly -------------------------------------------------------------------------------------

FUELLY_FUEL = {
    "date": ("fuelupdate",), "odometer": ("odometer",), "trip": ("miles", "km", "kilometers", "kilometres"),
    "quantity": ("gallons", "litres", "liters"), "price": ("price",), "notes": ("notes",),
    "missed": ("missedfuelup",), "partial": ("partialfuelup",), "station": ("brand",),
}
FUELLY_SERVICE = {
    "date": ("servicedate",), "kind": ("servicetype",), "odometer": ("odometer",), "cost": ("price",),
    "title": ("subservicetypes",), "notes": ("notes",),
}


def _fuelly(sections: list[Section]) -> ExportFile:
    table = sections[0]
    keys = {key(h) for h in table.header}
    if "servicedate" in keys:
        columns = _columns(table.header, FUELLY_SERVICE)
        _require(columns, ("date",), "fuelly")
        rows = _by_name(table, columns)
        # Fuelly's services file also holds expenses and notes: not service records.
        services = [r for r in rows if r.get("kind").strip().lower() in ("service", "")]
        ignored = [r for r in rows if r not in services]
        return ExportFile("fuelly", services=services, ignored=ignored,
                          dayfirst=day_first([r.get("date") for r in rows], False))
    columns = _columns(table.header, FUELLY_FUEL)
    _require(columns, ("date", "quantity", "price"), "fuelly")
    rows = _by_name(table, columns)
    distance = "mi" if "miles" in keys else "km" if keys & {"km", "kilometers", "kilometres"} else None
    volume = "usgal" if "gallons" in keys else "l"
    return ExportFile("fuelly", fill_ups=rows, distance=distance, volume=volume,
                      dayfirst=day_first([r.get("date") for r in rows], False))


# --- fuelio -------------------------------------------------------------------------------------

FUELIO_DISTANCE = {"0": "km", "1": "mi"}
FUELIO_VOLUME = {"0": "l", "1": "usgal", "2": "impgal"}
# Fuelio's default cost categories that are work on the car (Service, Maintenance, Tuning); other
# costs (registration, parking, wash, tolls, fines, insurance, tax...) are not service records.
FUELIO_SERVICE_CATEGORIES = {"service", "maintenance", "tuning", "repair", "repairs", "tires", "tyres"}
FUELIO_SERVICE_IDS = {"1", "2", "9"}


def _fuelio_fuel_type(code: str) -> str:
    """Fuelio's fuel codes: 1xx petrol, 2xx diesel, 6xx electricity; others (LPG, CNG) unknown."""
    return {"1": "gasoline", "2": "diesel", "6": "electric"}.get(code.strip()[:1], "") if len(code.strip()) == 3 else ""


def _fuelio(sections: list[Section]) -> ExportFile:
    named = {s.name: s for s in sections}
    log = named.get("log")
    if log is None:
        raise CsvProblem("header", "not a fuelio export: no '## Log' section")
    vehicle = named.get("vehicle")
    settings = dict(zip((key(h) for h in vehicle.header), vehicle.rows[0][1])) if vehicle and vehicle.rows else {}
    columns: dict[str, int] = {}
    for index, column in enumerate(log.header):
        k = key(column)
        name = ("date" if k in ("data", "date") else "odometer" if k.startswith("odo")
                else "fuel_type" if k == "fueltype" else "quantity" if k.startswith("fuel")
                else "price" if k == "volumeprice" else "total" if k.startswith("price")
                else "full" if k == "full" else "missed" if k == "missed" else "notes" if k.startswith("notes")
                else "station" if k.startswith("city") else None)
        if name and name not in columns:
            columns[name] = index
    _require(columns, ("date", "odometer", "quantity"), "fuelio")
    fill_ups = _by_name(log, columns)
    for row in fill_ups:
        row.cells["fuel_type"] = _fuelio_fuel_type(row.get("fuel_type"))
    odo_header = log.header[columns["odometer"]].lower()
    fuel_header = log.header[columns["quantity"]].lower()
    distance = FUELIO_DISTANCE.get(settings.get("distunit", "").strip()) or (
        "mi" if "(mi" in odo_header else "km" if "(km" in odo_header else None)
    volume = FUELIO_VOLUME.get(settings.get("fuelunit", "").strip()) or ("l" if "lit" in fuel_header else None)
    date_format = settings.get("importcsvdateformat", "").strip().lower()
    services, ignored = _fuelio_costs(named)
    dates = [r.get("date") for r in fill_ups + services]
    return ExportFile("fuelio", fill_ups=fill_ups, services=services, ignored=ignored, distance=distance,
                      volume=volume, dayfirst=day_first(dates, not date_format.startswith("m")))


def _fuelio_costs(named: dict[str, Section]) -> tuple[list[RawRow], list[RawRow]]:
    costs = named.get("costs")
    if costs is None:
        return [], []
    categories = named.get("costcategories")
    names: dict[str, str] = {}
    if categories is not None:
        index = {key(h): i for i, h in enumerate(categories.header)}
        for _, cells in categories.rows:
            if "costtypeid" in index and "name" in index and len(cells) > max(index["costtypeid"], index["name"]):
                names[cells[index["costtypeid"]].strip()] = cells[index["name"]].strip()
    columns = _columns(costs.header, {
        "title": ("costtitle",), "date": ("date",), "odometer": ("odo",), "category": ("costtypeid",),
        "notes": ("notes",), "cost": ("cost",), "template": ("istemplate",), "income": ("isincome",),
    })
    services, ignored = [], []
    for row in _by_name(costs, columns):
        type_id = row.get("category").strip()
        label = names.get(type_id, "")
        row.cells["category"] = label or type_id
        is_work = label.lower() in FUELIO_SERVICE_CATEGORIES if label else type_id in FUELIO_SERVICE_IDS
        if row.get("template").strip() == "1" or row.get("income").strip() == "1" or not is_work:
            ignored.append(row)
        else:
            services.append(row)
    return services, ignored


# --- drivvo -------------------------------------------------------------------------------------

DRIVVO_FUEL = {"odometer": 0, "date": 1, "fuel_label": 2, "price": 3, "total": 4, "quantity": 5, "full": 6,
               "reason": 18, "notes": 19}
DRIVVO_SERVICE = {"odometer": 0, "date": 1, "cost": 2, "title": 3, "shop": 4, "notes": 5}


def _drivvo_kind(name: str) -> str:
    if re.search(r"refuel|reabast|abastec|tank", name):
        return "fuel"
    if re.search(r"servi", name):
        return "service"
    if re.search(r"expens|despes|gasto|ausgab|wydat", name):
        return "expense"
    return "other"


def _drivvo_fuel_type(label: str) -> str:
    text = label.lower()
    if "diesel" in text:
        return "diesel"
    if re.search(r"electr|elétr|eléctr|elektr", text):
        return "electric"
    if re.search(r"gasol|petrol|benzin|gasoline|etanol|ethanol|nafta", text):
        return "gasoline"
    return ""


def _drivvo(sections: list[Section]) -> ExportFile:
    export = ExportFile("drivvo", metric_by_default=True)
    found = False
    for section in sections:
        kind = _drivvo_kind(section.name)
        if kind == "fuel":
            found = True
            for row in _by_position(section, DRIVVO_FUEL):
                notes = [row.get("reason").strip(), row.get("notes").strip()]
                row.cells["notes"] = " · ".join(n for n in notes if n)
                row.cells["fuel_type"] = _drivvo_fuel_type(row.get("fuel_label"))
                export.fill_ups.append(row)
        elif kind == "service":
            found = True
            export.services += _by_position(section, DRIVVO_SERVICE)
        elif kind == "expense":
            found = True
            export.ignored += _by_position(section, {"odometer": 0, "date": 1})
    if not found:
        raise CsvProblem("header", "not a drivvo export: no '##Refuelling' or '##Service' section")
    export.dayfirst = day_first([r.get("date") for r in export.fill_ups + export.services], True)
    return export


# --- lubelogger ---------------------------------------------------------------------------------

LUBELOGGER_GAS = {
    "date": ("date",), "odometer": ("odometer",), "quantity": ("fuelconsumed",), "total": ("cost",),
    "full": ("isfilltofull",), "missed": ("missedfuelup",), "notes": ("notes",),
}
LUBELOGGER_SERVICE = {
    "date": ("date",), "title": ("description",), "cost": ("cost",), "notes": ("notes",), "odometer": ("odometer",),
}


def _lubelogger(sections: list[Section]) -> ExportFile:
    table = sections[0]
    keys = {key(h) for h in table.header}
    if "fuelconsumed" in keys:
        columns = _columns(table.header, LUBELOGGER_GAS)
        _require(columns, ("date", "quantity", "total"), "lubelogger")
        rows = _by_name(table, columns)
        return ExportFile("lubelogger", fill_ups=rows, dayfirst=day_first([r.get("date") for r in rows], False))
    columns = _columns(table.header, LUBELOGGER_SERVICE)
    _require(columns, ("date", "title"), "lubelogger")
    rows = _by_name(table, columns)
    return ExportFile("lubelogger", services=rows, dayfirst=day_first([r.get("date") for r in rows], False))


# --- detection ----------------------------------------------------------------------------------

READERS = {"fuelly": _fuelly, "fuelio": _fuelio, "drivvo": _drivvo, "lubelogger": _lubelogger,
           "motovault": _motovault}


def detect(sections: list[Section]) -> str | None:
    names = {s.name for s in sections}
    if "log" in names:
        return "fuelio"
    if any(_drivvo_kind(name) in ("fuel", "service", "expense") for name in names if name):
        return "drivvo"
    keys = {key(h) for h in sections[0].header}
    if "fuelupdate" in keys or {"servicedate", "servicetype"} <= keys:
        return "fuelly"
    if "fuelconsumed" in keys or ({"date", "description", "cost"} <= keys and "subtypes" not in keys):
        return "lubelogger"
    if {"category", "subtypes"} <= keys or not _fuel_columns_missing(_columns(sections[0].header, FUEL_ALIASES)):
        return "motovault"
    return None


def read_export(text: str, named_format: str | None = None) -> ExportFile:
    """The file's rows by kind; CsvProblem("header") when it is empty, not a format we know, or
    not the format the caller named."""
    if not text.strip():
        raise CsvProblem("header", "the file is empty")
    if "\x00" in text:  # PostgreSQL's text cannot hold it: refused here, never a database error
        raise CsvProblem("file", "the file contains NUL (U+0000) characters")
    sections = read_sections(text)
    if not sections or not sections[0].header and len(sections) == 1:
        raise CsvProblem("header", "the file is empty")
    format = named_format or detect(sections)
    if format is None:
        raise CsvProblem("header", "not an export we recognise (formats recognised: " + ", ".join(FORMATS)
                         + "; name one with ?format=)")
    return READERS[format](sections)
