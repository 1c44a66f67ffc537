"""Request bodies of the notifications API, validated strictly."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Iterable, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, RootModel, field_validator

from shared.models import ApiModel

# The event types a subscription may receive, as published (docs/events.md).
SUBSCRIBABLE = (
    "fuel_log.created", "maintenance.record_created", "maintenance.schedule_due",
    "vehicle.created", "vehicle.updated", "vehicle.deleted",
)
# Of those, the ones notifications consumes for subscriptions alone, by routing key: bound to its
# queue only while a subscription wants them (shared/events/demand.py).
FOR_SUBSCRIBERS_ONLY = {
    "fuel_log.created.v1": "fuel_log.created",
    "maintenance.record_created.v1": "maintenance.record_created",
}


def subscriber_only_keys(event_types: Iterable[str]) -> set[str]:
    """The routing keys of FOR_SUBSCRIBERS_ONLY that subscriptions to `event_types` need bound."""
    wanted = set(event_types)
    return {key for key, event_type in FOR_SUBSCRIBERS_ONLY.items() if event_type in wanted}
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
WEBHOOK_SECRET = re.compile(r"^whsec_[A-Za-z0-9+/]{32,}={0,2}$")
HttpUrl = Annotated[AnyHttpUrl, Field(max_length=2000)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class QuietHours(ApiModel):
    start: time
    end: time


class PreferencesInput(ApiModel):
    lead_days: int | None = Field(default=None, ge=0, le=365)
    quiet_hours: QuietHours | None = None
    timezone: str | None = Field(default=None, max_length=64)

    @field_validator("timezone")
    @classmethod
    def known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError("unknown time zone (use an IANA name such as Europe/Paris)") from None
        return value


class EmailChannel(ApiModel):
    kind: Literal["email"]
    name: Name = "Email"
    address: str = Field(max_length=254)

    @field_validator("address")
    @classmethod
    def an_address(cls, value: str) -> str:
        if not EMAIL.match(value):
            raise ValueError("not an email address")
        return value


class NtfyChannel(ApiModel):
    kind: Literal["ntfy"]
    name: Name = "ntfy"
    url: HttpUrl  # the topic URL, e.g. https://ntfy.sh/my-motovault
    token: str | None = Field(default=None, min_length=1, max_length=200)  # access token, if the topic is protected


class WebhookChannel(ApiModel):
    kind: Literal["webhook"]
    name: Name = "Webhook"
    url: HttpUrl
    # Standard Webhooks secret (whsec_ + base64); without one deliveries are not signed.
    secret: str | None = Field(default=None, pattern=WEBHOOK_SECRET.pattern)


ChannelInput = Annotated[EmailChannel | NtfyChannel | WebhookChannel, Field(discriminator="kind")]


class ChannelBody(RootModel[ChannelInput]):
    """A new channel: its `kind` says which fields it takes."""


class ChannelUpdate(ApiModel):
    """Turn a channel off or on; turning a paused channel on resumes it."""
    enabled: bool | None = None
    name: Name | None = None


class SubscriptionInput(ApiModel):
    url: HttpUrl
    event_types: list[Literal[SUBSCRIBABLE]] = Field(min_length=1, max_length=len(SUBSCRIBABLE))
    secret: str = Field(pattern=WEBHOOK_SECRET.pattern)
    name: Name = "Automation"


class DeliveriesQuery(ApiModel):
    # `limit` and `cursor` are the paging parameters every list takes (shared/paging.py).
    status: Literal["pending", "retrying", "sent", "failed"] | None = None


class FeedQuery(ApiModel):
    token: str = Field(min_length=16, max_length=128)
