"""The use cases of the maintenance service, one async function each.

Each takes the pool (it owns the transaction) or a consumer's connection (it joins that one),
then the resources it needs, then plain inputs; it enqueues its events in its transaction,
invalidates what it changed once that commits, and raises the errors of shared.errors.
"""

from .account import purge_user
from .due import announce_schedules_fallen_due
from .imports import import_records
from .records import create_record, delete_record, get_record, list_records, update_record
from .schedules import create_schedule, delete_schedule, get_schedule, list_vehicle_schedules, update_schedule
from .upcoming import upcoming_schedules
from .vehicles import forget_vehicle, record_vehicle_seen

__all__ = [
    "announce_schedules_fallen_due",
    "create_record",
    "create_schedule",
    "delete_record",
    "delete_schedule",
    "forget_vehicle",
    "get_record",
    "get_schedule",
    "import_records",
    "list_records",
    "list_vehicle_schedules",
    "purge_user",
    "record_vehicle_seen",
    "update_record",
    "update_schedule",
    "upcoming_schedules",
]
