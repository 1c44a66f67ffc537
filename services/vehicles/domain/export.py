"""What the vehicles service puts in the account export, free of I/O: kinds, CSV rows, units."""

from __future__ import annotations

from typing import Any

from shared.export_stream import kind_schema

from .files import document_view
from .vehicle import vehicle_view

# Every field of the API view, in its order: the CSV is the JSON flattened, one row per record.
VEHICLE_COLUMNS = ["id", "vin", "year", "make", "model", "engine", "transmission", "trimLevel", "driveType",
                   "fuelType", "nickname", "color", "licensePlate", "odometerReading", "isActive", "imageUrl",
                   "createdAt", "updatedAt"]
DOCUMENT_COLUMNS = ["id", "vehicleId", "documentType", "title", "expiryDate", "contentType", "fileName",
                    "createdAt", "updatedAt"]
VEHICLE_UNITS = {"odometerReading": "mi", "year": "year", "createdAt": "ISO 8601 UTC", "updatedAt": "ISO 8601 UTC"}
DOCUMENT_UNITS = {"expiryDate": "ISO 8601 date", "createdAt": "ISO 8601 UTC", "updatedAt": "ISO 8601 UTC"}
# Presigned for the edge, which fetches every file once the records are out: long enough for a large export.
FILE_URL_SECONDS = 6 * 3600


def export_kinds() -> list[dict[str, Any]]:
    return [kind_schema("vehicle", "vehicles", VEHICLE_COLUMNS, VEHICLE_UNITS),
            kind_schema("document", "documents", DOCUMENT_COLUMNS, DOCUMENT_UNITS)]


def vehicle_record(row) -> tuple[dict[str, Any], list[Any]]:
    view = vehicle_view(row)
    return view, [view[column] for column in VEHICLE_COLUMNS]


def document_record(row) -> tuple[dict[str, Any], list[Any]]:
    view = document_view(row)
    return view, [view[column] for column in DOCUMENT_COLUMNS]


def image_file_path(row) -> str:
    """Where a vehicle's image goes in the archive (under files/)."""
    return f"vehicles/{row['id']}/image{_extension(row['image_key'])}"


def document_file_path(row) -> str:
    return f"vehicles/{row['vehicle_id']}/documents/{row['id']}{_extension(row['storage_key'])}"


def _extension(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""
