"""Reading other trackers' exports (and our own): pure parsing shared by fuel_logs and maintenance.

`read_export(text, named_format)` detects the exporter from the header or the file's section
markers and hands back its rows by kind (fill-ups, service records, ignored), each with its line
number and its cells under our field names; `fill_up_values` and `service_values` read one row's
cells (decimal commas, the exporter's dates and flags). Units are the file's, named on the result;
each service converts to its canonical units itself.
"""

from .formats import FORMATS, ExportFile, RawRow, read_export
from .report import ImportPlan, InvalidRows, read_import
from .table import CsvProblem
from .values import FillUpValues, ServiceValues, fill_up_values, key_figure, service_values, trimmed

__all__ = [
    "FORMATS", "CsvProblem", "ExportFile", "FillUpValues", "ImportPlan", "InvalidRows", "RawRow", "ServiceValues",
    "fill_up_values", "key_figure", "read_export", "read_import", "service_values", "trimmed",
]
