"""What the handlers share: the unit system a request asks for."""

from __future__ import annotations

from aiohttp import web

from shared.http.validation import parse_query

from ..domain.fill_ups import UnitsQuery
from ..domain.units import UnitSystem


def units(request: web.Request) -> UnitSystem:
    return parse_query(request, UnitsQuery).units
