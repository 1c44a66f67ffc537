"""The answer of an import (dry run or real), as the OpenAPI documents of both services show it."""

from __future__ import annotations

from shared.models import ApiModel


class ImportCounts(ApiModel):
    fill_ups: int  # new fill-ups imported (or that a dry run would import)
    service_records: int  # new service records imported (or that a dry run would import)
    already_imported: int  # rows whose import key is stored already (or repeated in the file)
    other_service: int  # rows the other service imports (service records here, or fill-ups)
    ignored: int  # rows of neither kind: expenses such as tolls or parking, notes, income
    rejected: int  # rows with a problem (all listed in `rejected`)


class RejectedRow(ApiModel):
    row: int  # the line in the file (the first line is 1)
    field: str
    message: str
    type: str


class ImportReport(ApiModel):
    format: str
    dry_run: bool
    units: dict[str, str]  # the file's units as read: distance km|mi, volume l|usgal|impgal
    imported: int
    counts: ImportCounts
    rejected: list[RejectedRow]
    fuel_log_ids: list[str] | None = None  # real fuel_logs import: the new fill-ups
    record_ids: list[str] | None = None  # real maintenance import: the new records
