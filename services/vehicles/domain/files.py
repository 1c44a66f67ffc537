"""Stored files of a vehicle (its image, its documents), free of I/O: what is accepted and where it goes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from shared.models import ApiModel

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
DOCUMENT_TYPES = {"application/pdf": "pdf", **IMAGE_TYPES}
# Dates a document can really carry, well inside PostgreSQL's and Python's date ranges.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
DocumentKind = Literal["insurance", "registration", "manual", "receipt", "other"]


class ImageUploadRequest(ApiModel):
    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic"]


class DocumentInput(ApiModel):
    document_type: DocumentKind
    title: str = Field(min_length=1, max_length=200)
    expiry_date: date | None = Field(default=None, ge=EARLIEST_DATE, le=LATEST_DATE)
    content_type: Literal["application/pdf", "image/jpeg", "image/png", "image/webp", "image/heic"]
    file_name: str | None = Field(default=None, max_length=255)


# Keys carry no user data (user ids contain "|", file names anything): ids and a fresh uuid, so a
# new upload never overwrites a file a still-valid download link points to.
def image_key(vehicle_id: uuid.UUID, content_type: str) -> str:
    return f"vehicles/{vehicle_id}/image/{uuid.uuid4().hex}.{IMAGE_TYPES[content_type]}"


def document_key(vehicle_id: uuid.UUID, document_id: uuid.UUID, content_type: str) -> str:
    return f"vehicles/{vehicle_id}/documents/{document_id}.{DOCUMENT_TYPES[content_type]}"


def upload_view(upload, max_bytes: int, content_type: str) -> dict:
    """A presigned POST form: the browser posts `fields` then the file (last) to `url`."""
    return {
        "url": upload.url,
        "method": "POST",
        "fields": upload.fields,
        "expiresIn": upload.expires_in,
        "maxBytes": max_bytes,
        "contentType": content_type,
    }


def document_view(row) -> dict:
    return {
        "id": str(row["id"]),
        "userId": row["user_id"],
        "vehicleId": str(row["vehicle_id"]),
        "documentType": row["document_type"],
        "title": row["title"],
        "expiryDate": row["expiry_date"].isoformat() if row["expiry_date"] else None,
        "contentType": row["content_type"],
        "fileName": row["file_name"],
        "createdAt": row["created_at"].isoformat(),
        "updatedAt": row["updated_at"].isoformat(),
    }
