"""Settings: a service refuses to start with a missing or malformed variable, and names it."""

import os
import subprocess
import sys

import pytest

from shared.testing.infra import IDENTITY_SECRET

pytestmark = pytest.mark.pure


def start(service: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(service.upper() + "_")}
    return subprocess.run(
        [sys.executable, "-m", f"services.{service}"], env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


VALID = {
    "VEHICLES_IDENTITY_SECRET": IDENTITY_SECRET,
    "VEHICLES_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/none",
    "VEHICLES_REDIS_URL": "redis://127.0.0.1:6379/0",
    "VEHICLES_AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/",
    "VEHICLES_S3_ACCESS_KEY": "key",
    "VEHICLES_S3_SECRET_KEY": "secret",
    "VEHICLES_S3_BUCKET": "bucket",
}


@pytest.mark.parametrize("missing", ["VEHICLES_DATABASE_URL", "VEHICLES_IDENTITY_SECRET", "VEHICLES_AMQP_URL"])
def test_missing_required_setting_exits_naming_it(missing):
    result = start("vehicles", {k: v for k, v in VALID.items() if k != missing})
    assert result.returncode != 0
    assert f"{missing}: is required but not set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("VEHICLES_PORT", "eighty"), ("VEHICLES_DATABASE_URL", "mysql://x"), ("VEHICLES_IDENTITY_SECRET", "short"),
     ("VEHICLES_INBOX_RETENTION_HOURS", "0.5")],
)
def test_malformed_setting_exits_naming_it(variable, value):
    result = start("vehicles", {**VALID, variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
    assert value not in result.stderr or variable == "VEHICLES_PORT"  # secrets are never echoed
