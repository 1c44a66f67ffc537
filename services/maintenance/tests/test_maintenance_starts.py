"""The maintenance service starts against real dependencies and guards its routes."""

from services.maintenance.app import create_app
from services.maintenance.settings import MaintenanceSettings
from shared.testing.waiting import until_ready


async def test_maintenance_is_alive_ready_and_refuses_requests_without_identity(backed_settings, serve):
    client = await serve(create_app(MaintenanceSettings(**await backed_settings("maintenance"))))
    assert (await client.get("/health")).status == 200
    await until_ready(client)
    refused = await client.get("/api/maintenance", headers={"X-User-Id": "auth0|spoof"})
    assert refused.status == 401
