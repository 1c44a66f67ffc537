"""The use cases of the vehicles service: one function each, called by the API and the consumers.

Each takes the database (the pool, or the consumer's connection whose transaction it joins),
the resources it needs, and plain values; it owns its transaction, the events it enqueues and
the cache invalidation after the commit, and raises the errors of shared.errors.
"""

from .files import (
    add_document,
    delete_document,
    delete_image,
    get_document,
    image_download_url,
    list_documents,
    start_image_upload,
)
from .vehicles import (
    create_vehicle,
    decode_vin,
    delete_vehicle,
    get_vehicle,
    list_vehicles,
    record_odometer_reading,
    update_vehicle,
)

__all__ = [
    "add_document",
    "create_vehicle",
    "decode_vin",
    "delete_document",
    "delete_image",
    "delete_vehicle",
    "get_document",
    "get_vehicle",
    "image_download_url",
    "list_documents",
    "list_vehicles",
    "record_odometer_reading",
    "start_image_upload",
    "update_vehicle",
]
