"""The stations service starts against real dependencies and guards its routes."""

from services.stations.app import create_app
from services.stations.settings import StationsSettings
from shared.testing.waiting import until_ready


async def test_stations_is_alive_ready_and_refuses_requests_without_identity(backed_settings, serve):
    client = await serve(create_app(StationsSettings(**await backed_settings("stations"))))
    assert (await client.get("/health")).status == 200
    await until_ready(client)
    refused = await client.get("/api/stations", headers={"X-User-Id": "auth0|spoof"})
    assert refused.status == 401
