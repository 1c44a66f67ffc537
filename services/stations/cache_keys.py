"""Every cache key of the stations service and its lifetime.

The provider's answers are cached per search cell, not per user: they are the same for everyone.
"""

from .domain.search import SearchCell, decimals_for

# The default of the search_cache_ttl setting.
SEARCH_TTL_SECONDS = 3600


def search_cache_key(cell: SearchCell) -> str:
    places = decimals_for(cell.radius)
    return f"search:{'+'.join(cell.place_types)}:{cell.latitude:.{places}f}:{cell.longitude:.{places}f}:{cell.radius}"


# Where a typed place is changes rarely; the same text is one provider call a day for everyone.
PLACE_TTL_SECONDS = 86_400


def place_cache_key(text: str) -> str:
    return "place:" + " ".join(text.casefold().split())
