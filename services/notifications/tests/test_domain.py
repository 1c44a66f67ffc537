"""Pure rules: which addresses may be called, backoff, quiet hours, reminders, messages, signatures."""

import ipaddress
from datetime import UTC, date, datetime, time

import pytest
from standardwebhooks.webhooks import Webhook

from services.notifications.domain import messages
from services.notifications.domain.addresses import RefusedAddress, check, refusal
from services.notifications.domain.inputs import SUBSCRIBABLE, subscriber_only_keys
from services.notifications.domain.timing import after_quiet_hours, backoff, reminder_due

pytestmark = pytest.mark.pure


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.5", "172.16.3.4", "192.168.1.10", "169.254.169.254", "169.254.1.1", "0.0.0.0",
    "224.0.0.1", "100.64.0.1", "::1", "fe80::1", "fd00:ec2::254", "fc00::1", "::ffff:127.0.0.1", "240.0.0.1",
])
def test_internal_addresses_are_refused(address):
    assert refusal(ipaddress.ip_address(address)) is not None
    with pytest.raises(RefusedAddress):
        check([address])


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5"])
def test_public_addresses_may_be_called(address):
    assert refusal(ipaddress.ip_address(address)) is None


def test_an_operator_allowed_network_may_be_called_and_only_it():
    allowed = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.20.0.0/16")]
    check(["127.0.0.1", "10.20.3.4"], allowed)
    with pytest.raises(RefusedAddress, match="10.21.0.1 is a private address"):
        check(["10.20.3.4", "10.21.0.1"], allowed)  # one bad answer spoils the name
    assert "metadata" in refusal(ipaddress.ip_address("169.254.169.254"), allowed)


def test_backoff_doubles_up_to_the_cap():
    assert [backoff(n, 30, 300) for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 240, 300]


def test_quiet_hours_across_midnight_hold_back_until_they_end():
    start, end = time(22, 0), time(7, 0)
    late = datetime(2026, 5, 1, 23, 30, tzinfo=UTC)
    assert after_quiet_hours(late, start, end, "UTC") == datetime(2026, 5, 2, 7, 0, tzinfo=UTC)
    early = datetime(2026, 5, 2, 6, 0, tzinfo=UTC)
    assert after_quiet_hours(early, start, end, "UTC") == datetime(2026, 5, 2, 7, 0, tzinfo=UTC)
    noon = datetime(2026, 5, 2, 12, 0, tzinfo=UTC)
    assert after_quiet_hours(noon, start, end, "UTC") == noon
    assert after_quiet_hours(noon, None, None, "UTC") == noon


def test_quiet_hours_are_wall_clock_in_the_users_zone():
    # 21:30 UTC is 23:30 in Paris (summer time): quiet until 07:00 Paris, 05:00 UTC.
    now = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)
    assert after_quiet_hours(now, time(22, 0), time(7, 0), "Europe/Paris") == datetime(2026, 7, 2, 5, 0, tzinfo=UTC)
    assert after_quiet_hours(now, time(13, 0), time(14, 0), "Europe/Paris") == now


def test_a_document_is_due_for_a_reminder_within_the_lead_time():
    expires = date(2026, 6, 30)
    assert not reminder_due(expires, 14, date(2026, 6, 15))
    assert reminder_due(expires, 14, date(2026, 6, 16))
    assert reminder_due(expires, 0, date(2026, 7, 2))


def test_schedule_due_message_names_vehicle_what_when_and_urgency():
    data = {"scheduleId": "s", "vehicleId": "v", "category": "routine_maintenance", "subtypes": ["Engine Oil", "Air Filter"],
            "dueDate": "2026-05-01", "dueOdometer": 45000, "trigger": "odometer", "urgency": "past_due"}
    note = messages.schedule_due(data, "Blue Bike")
    assert note.title == "Maintenance due: Blue Bike"
    assert note.text == "Routine maintenance: Engine Oil, Air Filter is due on 01 May 2026 or at 45,000 mi (past due)."
    assert (note.priority, note.tags) == (4, ["wrench", "past_due"])


def test_document_message_counts_the_days_left():
    document = {"document_id": "d", "vehicle_id": "v", "title": "Policy", "kind": "insurance",
                "expires_on": date(2026, 6, 30)}
    assert "in 10 days" in messages.document_expiry(document, "Car", date(2026, 6, 20)).text
    assert "expired on 30 Jun 2026" in messages.document_expiry(document, "Car", date(2026, 7, 1)).text


def test_signing_matches_the_standard_webhooks_specification_example():
    # The example of the specification (standard-webhooks.com, "Signature scheme").
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    signature = Webhook(secret).sign("msg_p5jXN8AQM9LWM0D4loKWxJek", datetime.fromtimestamp(1614265330, UTC),
                                     '{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_allowed_networks_come_from_the_environment_as_json(monkeypatch):
    from pydantic import ValidationError

    from services.notifications.settings import NotificationsSettings

    required = {"NOTIFICATIONS_IDENTITY_SECRET": "x" * 32, "NOTIFICATIONS_DATABASE_URL": "postgresql://h/db",
                "NOTIFICATIONS_REDIS_URL": "redis://h", "NOTIFICATIONS_AMQP_URL": "amqp://h"}
    for name, value in required.items():
        monkeypatch.setenv(name, value)
    assert NotificationsSettings().allowed_networks == []  # production default: public addresses only
    monkeypatch.setenv("NOTIFICATIONS_ALLOWED_NETWORKS", '["10.20.0.0/16", "fd12::/64"]')
    settings = NotificationsSettings()
    assert [str(n) for n in settings.allowed_networks] == ["10.20.0.0/16", "fd12::/64"]
    assert settings.port == 8085
    monkeypatch.setenv("NOTIFICATIONS_ALLOWED_NETWORKS", '["10.20.0.1/16"]')  # host bits set: a typo
    with pytest.raises(ValidationError):
        NotificationsSettings()


def test_only_fill_ups_and_maintenance_records_are_bound_for_subscribers_alone():
    # The other subscribable types feed notifications' own projections and reminders: always bound.
    assert subscriber_only_keys(SUBSCRIBABLE) == {"fuel_log.created.v1", "maintenance.record_created.v1"}
    assert subscriber_only_keys(["vehicle.created", "maintenance.record_created"]) == {"maintenance.record_created.v1"}
    assert subscriber_only_keys(["vehicle.updated", "maintenance.schedule_due"]) == set()
