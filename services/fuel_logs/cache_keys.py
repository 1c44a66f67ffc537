"""Keys of the per-user list cache: one per unit system, all dropped on any change."""

from shared.cache import GENERATION_GROUP

from .domain.units import UnitSystem

LIST_TTL_SECONDS = 300


def list_cache_key(user_id: str, system: UnitSystem) -> str:
    # The unit system after the cache's group mark: the lists of one user share one generation.
    return f"fuel_logs:list:{user_id}{GENERATION_GROUP}{system.value}"


def list_cache_keys(user_id: str) -> list[str]:
    return [list_cache_key(user_id, system) for system in UnitSystem]
