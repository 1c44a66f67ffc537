"""Configuration of the notifications service (environment variables prefixed NOTIFICATIONS_)."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, SecretStr

from shared.settings import BackedServiceSettings, settings_config


class NotificationsSettings(BackedServiceSettings):
    model_config = settings_config("NOTIFICATIONS_")

    port: int = Field(default=8085, ge=1, le=65535)
    # The operator's SMTP relay; users only give their address. The password never leaves here.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_from: str = "MotoVault <notifications@motovault.local>"
    smtp_timeout: float = Field(default=10.0, gt=0)
    # Outgoing HTTP (ntfy, webhooks): per attempt, and how many redirects are followed (each checked).
    http_timeout: float = Field(default=10.0, gt=0)
    max_redirects: int = Field(default=3, ge=0, le=10)
    # Networks outgoing HTTP may reach although they are loopback, private or link-local, as JSON:
    # e.g. ["10.20.0.0/16"] for an in-cluster Home Assistant. Empty: only public addresses.
    allowed_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = Field(default=[])
    # Delivery: a failed attempt waits retry_base_seconds doubling up to retry_max_seconds; a
    # channel whose last max_attempts attempts all failed is paused.
    max_attempts: int = Field(default=5, ge=1)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_max_seconds: float = Field(default=3600.0, gt=0)
    # How long a claimed delivery is leased to one worker before another may take it again.
    delivery_lease_seconds: float = Field(default=60.0, gt=0)
    delivery_poll_interval: float = Field(default=5.0, gt=0)
    delivery_batch: int = Field(default=20, ge=1)
    # How often document expiries are checked against the users' lead times.
    expiry_sweep_interval: float = Field(default=3600.0, gt=0)
    # The public base of calendar feed URLs (what calendar apps reach: the edge).
    public_base_url: str = Field(default="http://127.0.0.1:8080", pattern=r"^https?://")
