"""Keys of the per-user list cache: one per unit system, all dropped on any change."""

from .domain.units import UnitSystem

LIST_TTL_SECONDS = 300


def list_cache_key(user_id: str, system: UnitSystem) -> str:
    return f"fuel_logs:list:{user_id}:{system.value}"


def list_cache_keys(user_id: str) -> list[str]:
    return [list_cache_key(user_id, system) for system in UnitSystem]
