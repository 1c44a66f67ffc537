"""The answer of an import (dry run or real), as the OpenAPI documents of both services show it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from shared.errors import FieldProblem, InvalidInput
from shared.models import ApiModel, omitted

from .formats import ExportFile, RawRow, read_export
from .table import CsvProblem

# A row checked by the importing service: its stored values, or None and its problems.
CheckedRow = tuple[dict[str, Any] | None, list[FieldProblem]]


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
    # Only in the answer of a real import, each in its own service's (left out, never null).
    fuel_log_ids: list[str] = omitted(description="fuel_logs: the new fill-ups")
    record_ids: list[str] = omitted(description="maintenance: the new records")


class InvalidRows(InvalidInput):
    """Rows that break the rules; each problem is reported with its line number."""

    def __init__(self, problems: list[tuple[int, FieldProblem]]) -> None:
        super().__init__(*(problem for _, problem in problems),
                         message=f"{len({line for line, _ in problems})} invalid row(s); nothing imported")
        self.lines = [line for line, _ in problems]

    def details(self) -> list[dict[str, Any]]:
        return [{"row": line, **asdict(problem)} for line, problem in zip(self.lines, self.problems)]


@dataclass
class ImportPlan:
    """What a file would import into one service: stored values with their import keys, the rows'
    problems, and what it leaves out."""

    format: str
    units: Any  # the file's units as the importing service reads them
    to_store: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[int, FieldProblem]] = field(default_factory=list)
    other_service: int = 0  # rows the other service imports (service records, or fill-ups)
    ignored: int = 0  # rows of neither kind (expenses such as tolls, parking, notes)

    def rejected(self) -> list[dict[str, Any]]:
        return InvalidRows(self.problems).details() if self.problems else []

    def check(self, rows: list[RawRow], checked: Callable[[RawRow], CheckedRow]) -> None:
        """Each row through the service's `checked`: its stored values kept, its problems (a cell
        that could not be read too) listed by line, never raised."""
        for row in rows:
            try:
                stored, problems = checked(row)
            except CsvProblem as problem:
                stored, problems = None, [FieldProblem(problem.field, str(problem), "csv")]
            self.problems += [(row.line, problem) for problem in problems]
            if stored is not None:
                self.to_store.append(stored)

    def report(self, *, kind: str, units: dict[str, str], dry_run: bool, imported: int) -> dict[str, Any]:
        """The answer (ImportReport): `kind` is what this service imports, "fillUps" or "serviceRecords"."""
        return {
            "format": self.format,
            "dryRun": dry_run,
            "units": units,
            "imported": imported,
            "counts": {
                "fillUps": 0, "serviceRecords": 0, kind: imported,
                "alreadyImported": len(self.to_store) - imported,
                "otherService": self.other_service,
                "ignored": self.ignored,
                "rejected": len({line for line, _ in self.problems}),
            },
            "rejected": self.rejected(),
        }


def read_import(text: str, named_format: str | None, rows_of: Callable[[ExportFile], list[RawRow]],
                max_rows: int) -> ExportFile:
    """The export file, or InvalidInput: unreadable or of no known format, more than `max_rows` rows
    of the kind the importing service takes (`rows_of`), or no data row at all."""
    try:
        file = read_export(text, named_format)
    except CsvProblem as problem:
        raise InvalidInput(FieldProblem(problem.field, str(problem), "csv"),
                           message="CSV file not readable; nothing imported") from None
    if len(rows_of(file)) > max_rows:
        raise InvalidInput(message=f"At most {max_rows} rows per import; nothing imported")
    if not file.rows:
        raise InvalidInput(message="The CSV file has no data rows; nothing imported")
    return file
