"""Configuration of the accounts service (environment variables prefixed ACCOUNTS_)."""

from __future__ import annotations

from pydantic import Field, field_validator

from shared.settings import BackedServiceSettings, settings_config

# The services that hold a user's data and confirm its removal with account.purged.v1.
DEFAULT_SERVICES = ["vehicles", "fuel_logs", "stations", "maintenance", "notifications"]


class AccountsSettings(BackedServiceSettings):
    model_config = settings_config("ACCOUNTS_")

    port: int = Field(default=8086, ge=1, le=65535)
    # Nothing here is cached: a deletion's status is a small read of its own tables.
    redis_url: str | None = Field(default=None, pattern=r"^rediss?://")
    # Which services must confirm a deletion before it is completed, as JSON (["vehicles", ...]).
    # A deletion keeps the list it started with, so changing this never strands one in progress.
    services: list[str] = Field(default=DEFAULT_SERVICES, min_length=1)

    @field_validator("services")
    @classmethod
    def _known_names(cls, value: list[str]) -> list[str]:
        names = [name.strip() for name in value]
        if any(not name.isidentifier() for name in names) or len(set(names)) != len(names):
            raise ValueError("needs distinct service names such as fuel_logs")
        return names
