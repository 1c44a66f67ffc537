"""Every Redis key of the vehicles service, and how long what it holds may live."""

LIST_TTL_SECONDS = 300
# The edge may keep a vehicle answer (the list or one vehicle) as long; a change ends it sooner.
EDGE_TTL_SECONDS = LIST_TTL_SECONDS
DECODE_TTL_SECONDS = 30 * 24 * 3600  # what a VIN decodes to does not change


def vehicle_list(user_id: str) -> str:
    return f"vehicles:list:{user_id}"


def vin_decode(vin: str) -> str:
    return f"vin:decode:{vin}"
