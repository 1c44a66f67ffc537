"""The notifications service starts against real dependencies and guards its routes."""

from shared.testing.waiting import until_ready


async def test_notifications_is_alive_ready_and_refuses_requests_without_identity(notifications):
    assert (await notifications.get("/health")).status == 200
    await until_ready(notifications)
    refused = await notifications.get("/api/notifications/channels", headers={"X-User-Id": "auth0|spoof"})
    assert refused.status == 401
