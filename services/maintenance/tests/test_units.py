"""Distances are stored in miles and shown in the caller's unit, with the exact mile."""

import pytest
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.maintenance.domain.units import Units, from_miles, to_miles
from shared.events.wire import odometer_to_wire

pytestmark = pytest.mark.pure


def test_exact_constants():
    assert to_miles(Decimal("1.609344"), Units.METRIC) == Decimal(1)
    assert from_miles(Decimal(100), Units.METRIC) == Decimal("160.9")
    assert to_miles(Decimal("12345.6"), Units.IMPERIAL) == Decimal("12345.6")
    assert to_miles(None, Units.METRIC) is None


@given(tenths=st.integers(min_value=0, max_value=99_999_999))
def test_a_kilometre_reading_survives_storage_in_miles(tenths):
    km = Decimal(tenths) / 10
    assert from_miles(to_miles(km, Units.METRIC), Units.METRIC) == km


def test_events_carry_integers_or_one_decimal():
    assert odometer_to_wire(Decimal("45000.000000")) == 45000
    assert isinstance(odometer_to_wire(Decimal("45000.000000")), int)
    assert odometer_to_wire(Decimal("6213.711922")) == 6213.7
    assert odometer_to_wire(None) is None
