"""Carrying one delivery over its channel: email over SMTP, ntfy, a JSON webhook, a subscription.

Every way a channel can fail becomes DeliveryFailure with a reason fit for the user's delivery
log: never a secret (the SMTP password, a webhook secret or an ntfy token), which only ever
travel in the authentication or signature they make.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import orjson
from standardwebhooks.webhooks import Webhook

from .domain.messages import Notification
from .outbound import DeliveryFailure, Outbound
from .settings import NotificationsSettings


class Senders:
    def __init__(self, settings: NotificationsSettings, outbound: Outbound) -> None:
        self._settings = settings
        self._outbound = outbound

    async def send(self, channel: Mapping[str, Any], delivery: Mapping[str, Any]) -> None:
        kind = channel["kind"]
        if kind == "email":
            await self._email(channel["target"], Notification.from_json(delivery["payload"]))
        elif kind == "ntfy":
            await self._ntfy(channel, Notification.from_json(delivery["payload"]))
        elif kind == "webhook":
            notification = Notification.from_json(delivery["payload"])
            body = {"type": f"notification.{notification.kind}", "timestamp": delivery["created_at"].isoformat(),
                    "data": notification.to_json()}
            await self._webhook(channel, delivery, orjson.dumps(body))
        else:  # a subscription: the payload is already the webhook body
            await self._webhook(channel, delivery, orjson.dumps(delivery["payload"]))

    async def _email(self, address: str, notification: Notification) -> None:
        settings = self._settings
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = address
        message["Subject"] = notification.title
        message.set_content(notification.text)
        try:
            await aiosmtplib.send(
                message, hostname=settings.smtp_host, port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                use_tls=settings.smtp_security == "tls", start_tls=settings.smtp_security == "starttls",
                timeout=settings.smtp_timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused:
            raise DeliveryFailure("the mail server refused the address") from None
        except aiosmtplib.SMTPAuthenticationError:
            raise DeliveryFailure("the mail server refused our login") from None
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            raise DeliveryFailure(f"mail server unavailable: {type(exc).__name__}") from None

    async def _ntfy(self, channel: Mapping[str, Any], notification: Notification) -> None:
        """ntfy's publish-as-HTTP-POST: the message is the body, the rest are headers (non-ASCII
        titles RFC 2047-encoded, which ntfy decodes)."""
        headers = {
            "Title": Header(notification.title, "utf-8").encode() if not notification.title.isascii() else notification.title,
            "Priority": str(notification.priority),
            "Tags": ",".join(notification.tags),
            "Content-Type": "text/plain; charset=utf-8",
        }
        if channel["secret"]:
            headers["Authorization"] = f"Bearer {channel['secret']}"
        status = await self._outbound.post(channel["target"], notification.text.encode(), headers)
        _require_success(status)

    async def _webhook(self, channel: Mapping[str, Any], delivery: Mapping[str, Any], body: bytes) -> None:
        """Standard Webhooks: the delivery id is the message id (the same on every retry and
        replay, so a receiver can deduplicate), signed with HMAC-SHA256 over id.timestamp.body."""
        message_id = f"msg_{delivery['id'].hex}"
        now = datetime.now(UTC)
        headers = {"Content-Type": "application/json", "webhook-id": message_id,
                   "webhook-timestamp": str(int(now.timestamp()))}
        if channel["secret"]:
            headers["webhook-signature"] = Webhook(channel["secret"]).sign(message_id, now, body.decode())
        status = await self._outbound.post(channel["target"], body, headers)
        _require_success(status)


def _require_success(status: int) -> None:
    if not 200 <= status < 300:
        raise DeliveryFailure(f"the receiver answered HTTP {status}")
