"""The use cases of the notifications service, one async function each.

Each takes the pool (it owns the transaction) or a consumer's connection (it joins that one),
then the resources it needs, then plain inputs, and raises the errors of shared.errors. New
deliveries wake the delivery worker once their transaction commits.
"""

from .account import purge_user
from .channels import (
    create_channel, create_subscription, delete_channel, delete_subscription, get_channel, list_channels, send_test,
    update_channel,
)
from .deliveries import (
    claim_deliveries, delivered, delivery_failed, list_deliveries, publish_to_subscribers, replay_delivery,
)
from .preferences import (
    calendar_feed, get_preferences, new_calendar_token, revoke_calendar_token, update_preferences,
)
from .projections import (
    forget_document, forget_schedule, forget_vehicle, record_document, record_vehicle, remind_expiring_documents,
    schedule_changed, schedule_fell_due,
)

__all__ = [
    "calendar_feed", "claim_deliveries", "create_channel", "create_subscription", "delete_channel",
    "delete_subscription", "delivered", "delivery_failed", "forget_document", "forget_schedule", "forget_vehicle",
    "get_channel", "get_preferences", "list_channels", "list_deliveries", "new_calendar_token",
    "publish_to_subscribers", "purge_user", "record_document", "record_vehicle", "remind_expiring_documents",
    "replay_delivery", "revoke_calendar_token", "schedule_changed", "schedule_fell_due", "send_test",
    "update_channel", "update_preferences",
]
