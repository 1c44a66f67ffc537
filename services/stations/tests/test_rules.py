"""Pure rules the use cases and handlers rely on: photo names, browser cache lifetimes, partial
saves, the search cache key, and which events the service consumes."""

import pytest
from aiohttp import web

from services.stations.cache_keys import search_cache_key
from services.stations.consumers import consumers, on_deletion_requested
from services.stations.domain.photos import photo_name, signed_photo_max_age
from services.stations.domain.saved_stations import SaveStationInput
from services.stations.domain.search import SearchInput, search_cell
from shared.errors import InvalidInput

from .conftest import NEAR_TREATS, TREATS

pytestmark = pytest.mark.pure

REFERENCE = f"places/{TREATS}/photos/AWn5SU4w-_x"


def test_a_photo_name_passes_and_anything_else_is_invalid_input_on_the_reference():
    assert photo_name(REFERENCE) == REFERENCE
    with pytest.raises(InvalidInput) as raised:
        photo_name("places/x/../../v1/places:searchNearby")
    assert raised.value.message == "Invalid photo reference"
    assert raised.value.details() == [
        {"field": "reference", "message": "expected places/{placeId}/photos/{photoId}", "type": "value_error"}]


def test_a_signed_photo_is_never_cached_past_its_urls_expiry():
    assert signed_photo_max_age(86_400, expires=1_900, now=1_000) == 900
    assert signed_photo_max_age(600, expires=1_900, now=1_000) == 600
    assert signed_photo_max_age(600, expires=1_900, now=1_899.5) == 0
    assert signed_photo_max_age(600, expires=1_900, now=1_900) == 0


def test_saving_again_changes_only_the_fields_sent():
    assert SaveStationInput.model_validate({"placeId": TREATS}).changes() == {}
    sent = SaveStationInput.model_validate({"placeId": TREATS, "notes": None, "isFavorite": True})
    assert sent.changes() == {"notes": None, "is_favorite": True}


def test_search_cache_keys_keep_their_format():
    """Entries written before a deploy stay readable after it: the key format is a contract."""
    assert search_cache_key(search_cell(SearchInput(**NEAR_TREATS, radius=2000))) == \
        "search:gas_station:51.508:-0.123:2100"
    assert search_cache_key(search_cell(SearchInput(**NEAR_TREATS, radius=20_000, fuelType="electric"))) == \
        "search:electric_vehicle_charging_station:51.51:-0.12:21000"


def test_the_service_consumes_the_fill_up_events_and_account_deletions():
    handlers = consumers(web.Application())
    assert set(handlers) == {"fuel_log.created.v1", "fuel_log.updated.v1", "fuel_log.deleted.v1",
                             "account.deletion_requested.v1"}
    # The fill-up handlers are wrapped to drop events of a user purged since (shared/purges.py).
    assert handlers["account.deletion_requested.v1"] is on_deletion_requested
