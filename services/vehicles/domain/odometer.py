"""The odometer log, free of I/O: readings from events and from the API, the checks a manual
reading must pass, and how the log is shown.

The vehicle's current odometer is the reading of the latest-dated live entry of its log, on the
same date the higher one (repository.derived_odometer), leaving out an `initial` reading that a
higher reading dated on or before it superseded (it was stale).
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from pydantic import Field

from shared.errors import InvalidInput
from shared.models import ApiModel

from .vehicle import MAX_ODOMETER

# Where a reading came from (the API's `source`).
FILL_UP = "fill_up"
MAINTENANCE_RECORD = "maintenance_record"
MANUAL = "manual"
IMPORT = "import"
INITIAL = "initial"  # the odometer given when the vehicle was created, or its value when the log began
# Entered by the user here, so removed here; the others go with their fill-up or record.
DELETABLE_SOURCES = (MANUAL, INITIAL)


def reading_from_event(value: Any) -> int | None:
    """An event's odometerReading (miles, may be null or carry one decimal) as whole miles.

    The integer part, never rounded up: a vehicle has not yet reached the next mile. None for
    what cannot be a reading, so a malformed event changes nothing instead of failing forever.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        miles = int(Decimal(str(value)))
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return miles if 0 <= miles <= MAX_ODOMETER else None


@dataclass(frozen=True)
class SourceReading:
    """A fill-up's or a maintenance record's reading, as its created/updated event states it."""

    kind: str  # FILL_UP or MAINTENANCE_RECORD: what source_id names
    source_id: Any
    reading: int | None  # None: the source has no reading (a trip-distance fill-up)
    read_on: date
    read_at: datetime | None
    imported: bool

    @property
    def source(self) -> str:
        return IMPORT if self.imported else self.kind


def source_reading(kind: str, source_id: Any, data: Mapping[str, Any]) -> SourceReading | None:
    """The reading a fill_up (`dateTime`) or maintenance record (`date`) event carries; None when
    its date is unusable (a malformed event is ignored, not retried forever)."""
    read_at: datetime | None = None
    try:
        if kind == FILL_UP:
            read_at = datetime.fromisoformat(str(data.get("dateTime")))
            if read_at.tzinfo is None:
                return None
            read_on = read_at.date()  # the producer writes UTC: the UTC date
        else:
            read_on = date.fromisoformat(str(data.get("date")))
    except ValueError:
        return None
    return SourceReading(kind, source_id, reading_from_event(data.get("odometerReading")), read_on, read_at,
                         data.get("imported") is True)


class ManualReadingInput(ApiModel):
    """POST /api/vehicles/{id}/odometer: a reading the user took, in miles like odometerReading."""

    reading: int = Field(ge=0, le=MAX_ODOMETER)
    date: dt.date | None = None  # default: today (UTC)
    note: str | None = Field(default=None, max_length=500)
    confirm: bool = False  # record it even when it contradicts the log


def check_reading_date(on: date | None, today: date) -> None:
    """A manual reading is dated today or earlier (a day of slack for time zones ahead of UTC):
    a future-dated one would become the current odometer before it is true."""
    if on is not None and (on - today).days > 1:
        raise InvalidInput.field("date", "a reading cannot be dated in the future")


def not_deletable_message(row: Mapping[str, Any]) -> str:
    what = "fill-up" if row["source_kind"] == FILL_UP else "maintenance record"
    return (f"This reading comes from a {what} ({row['source_id']}); edit or delete the {what} to change "
            "or remove it. Only manual and initial readings are deleted here")


@dataclass(frozen=True)
class Conflict:
    message: str
    code: str
    reading: Mapping[str, Any]  # the stored log row it contradicts


def check_manual_reading(
    reading: int, on: date, previous: Mapping[str, Any] | None, following: Mapping[str, Any] | None,
    max_daily_distance: int,
) -> Conflict | None:
    """What a new manual reading contradicts, if anything.

    `previous` is the entry the log shows as current on `on` (latest-dated on or before it,
    the higher on its date), `following` the first entry dated after it. Lower than the previous
    (a typo, or a replaced odometer), more than `max_daily_distance` per day since it (a day at
    least), or higher than the following one: refused unless the caller confirms.
    """
    if previous is not None:
        if reading < previous["reading"]:
            return Conflict(f"The reading is lower than {previous['reading']} mi recorded on "
                            f"{previous['read_on'].isoformat()}; send confirm: true if it is right "
                            "(e.g. a replaced odometer)", "odometer_lower", previous)
        days = max((on - previous["read_on"]).days, 1)
        if reading - previous["reading"] > max_daily_distance * days:
            return Conflict(f"The reading is {reading - previous['reading']} mi more than {previous['reading']} mi "
                            f"recorded on {previous['read_on'].isoformat()}, over {max_daily_distance} mi a day; "
                            "send confirm: true if it is right", "odometer_too_far", previous)
    if following is not None and reading > following["reading"]:
        return Conflict(f"The reading is higher than {following['reading']} mi recorded later, on "
                        f"{following['read_on'].isoformat()}; send confirm: true if it is right",
                        "odometer_higher_than_later", following)
    return None


def reading_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A log entry as the API shows it."""
    return {
        "id": str(row["id"]),
        "vehicleId": str(row["vehicle_id"]),
        "reading": row["reading"],
        "date": row["read_on"].isoformat(),
        "dateTime": None if row["read_at"] is None else row["read_at"].isoformat(),
        "source": row["source"],
        "sourceKind": row["source_kind"],
        "sourceId": None if row["source_id"] is None else str(row["source_id"]),
        "note": row["note"],
        "createdAt": row["created_at"].isoformat(),
        # An initial reading that a higher, earlier-dated one showed to be stale: it does not count.
        "superseded": bool(row.get("superseded", False)),
    }


def conflict_details(conflict: Conflict) -> list[dict[str, Any]]:
    """The error shape's details of a refused reading: the field, why, and the reading in the way."""
    return [{"field": "reading", "message": conflict.message, "type": conflict.code,
             "conflictingReading": reading_view(conflict.reading)}]
