"""The accounts service's settings and the status it shows (pure)."""

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.accounts.domain.deletion import deletion_status
from services.accounts.settings import DEFAULT_SERVICES, AccountsSettings

pytestmark = pytest.mark.pure
BASE = {"identity_secret": "x" * 32, "database_url": "postgresql://db/accounts", "amqp_url": "amqp://mq/"}


def test_the_expected_services_default_to_the_five_and_must_be_names(monkeypatch):
    assert AccountsSettings(**BASE).services == DEFAULT_SERVICES
    assert AccountsSettings(**BASE).port == 8086 and AccountsSettings(**BASE).redis_url is None
    monkeypatch.setenv("ACCOUNTS_SERVICES", '["vehicles", "fuel_logs"]')
    assert AccountsSettings(**BASE).services == ["vehicles", "fuel_logs"]
    for bad in ([], ["vehicles", "vehicles"], ["fuel-logs"]):
        with pytest.raises(ValidationError):
            AccountsSettings(**BASE, services=bad)


def test_the_status_lists_every_expected_service_in_order():
    requested = datetime(2026, 12, 1, 8, tzinfo=UTC)
    row = {"id": uuid.UUID(int=1), "expected": ["vehicles", "stations"], "requested_at": requested, "completed_at": None}
    status = deletion_status(row, {"stations": requested})
    assert status == {
        "id": str(uuid.UUID(int=1)), "status": "pending", "requestedAt": requested.isoformat(), "completedAt": None,
        "services": [{"service": "vehicles", "status": "pending", "confirmedAt": None},
                     {"service": "stations", "status": "done", "confirmedAt": requested.isoformat()}],
    }
    assert deletion_status(row | {"completed_at": requested}, {})["status"] == "completed"
