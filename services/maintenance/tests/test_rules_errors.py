"""The domain's rules speak shared.errors: the field, message and type a 400 shows, no HTTP."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.maintenance.domain.catalog import Category, canonical_subtypes, category_named
from services.maintenance.domain.inputs import RecordInput, ScheduleInput, require_interval
from shared.errors import FieldProblem, InvalidInput

pytestmark = pytest.mark.pure

CAR = "6f1c4bde-1111-4c8e-9d3a-2a7b1c0e5f00"


def test_a_category_is_named_or_the_valid_ones_are_listed():
    assert category_named("repair") is Category.REPAIR
    with pytest.raises(InvalidInput) as raised:
        category_named("detailing")
    assert raised.value.problems == (
        FieldProblem("category", "must be one of routine_maintenance, repair, performance_upgrade", "enum"),
    )


def test_subtypes_outside_the_category_are_named():
    assert canonical_subtypes(Category.ROUTINE_MAINTENANCE, ["engine oil", "Engine Oil", "Tires"]) == ["Engine Oil", "Tires"]
    with pytest.raises(InvalidInput) as raised:
        canonical_subtypes(Category.REPAIR, ["Engine", "Engine Oil", "Tires"])
    assert raised.value.details() == [{
        "field": "subtypes",
        "message": "not valid for repair: Engine Oil, Tires (see /api/maintenance/subtypes/repair)",
        "type": "value_error",
    }]


def test_a_schedule_needs_some_interval():
    require_interval(6, None)
    require_interval(None, Decimal(5000))
    with pytest.raises(InvalidInput) as raised:
        require_interval(None, None)
    assert raised.value.details() == [{
        "field": "intervalMonths", "message": "a schedule needs intervalMonths, intervalDistance or both",
        "type": "missing_interval",
    }]


def test_inside_a_body_bad_subtypes_are_reported_with_the_other_problems():
    body = {"vehicleId": CAR, "category": "repair", "subtypes": ["Engine Oil"], "date": "2026-04-02", "cost": -1}
    with pytest.raises(ValidationError) as raised:
        RecordInput.model_validate(body)
    problems = {(error["loc"][0], error["msg"]) for error in raised.value.errors()}
    assert problems == {
        ("subtypes", "Value error, not valid for repair: Engine Oil (see /api/maintenance/subtypes/repair)"),
        ("cost", "Input should be greater than or equal to 0"),
    }


def test_a_schedule_body_without_an_interval_is_invalid_input():
    body = {"vehicleId": CAR, "category": "repair", "subtypes": ["Engine"]}
    with pytest.raises(InvalidInput) as raised:
        ScheduleInput.model_validate(body)
    assert [problem.type for problem in raised.value.problems] == ["missing_interval"]
