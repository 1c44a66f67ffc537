"""The checker the services' answer-schema tests use (shared/testing/answer_schemas.py): it fails
an answer that gains, loses or retypes a field, and knows which documented answers it has met."""

from __future__ import annotations

import datetime as dt

import pytest
from aiohttp import web

from shared.http.app import base_app
from shared.http.openapi import documented, openapi_document
from shared.models import ApiModel, omitted
from shared.settings import ServiceSettings
from shared.testing.answer_schemas import AnswerSchemas
from shared.testing.infra import IDENTITY_SECRET, free_port

pytestmark = pytest.mark.pure


class Part(ApiModel):
    name: str


class Widget(ApiModel):
    widget_id: str
    made_at: dt.datetime
    note: str | None
    colour: str = omitted()
    parts: list[Part]


def widget_document() -> dict:
    app = base_app("widgets", ServiceSettings(identity_secret=IDENTITY_SECRET, port=free_port()))
    routes = web.RouteTableDef()

    @routes.get("/api/widgets/{id}")
    @documented(responses={200: Widget})
    async def get_widget(request): ...

    @routes.get("/api/widgets/special/parts")
    @documented(responses={200: [Part]})
    async def special_parts(request): ...

    app.add_routes(routes)
    return openapi_document(app, "widgets")


WIDGET = {"widgetId": "w1", "madeAt": "2026-05-01T08:00:00+00:00", "note": None, "parts": [{"name": "bolt"}]}


def test_an_answer_as_documented_passes_with_or_without_its_optional_field():
    answers = AnswerSchemas(widget_document())
    assert answers.check_body("GET", "/api/widgets/w1", 200, WIDGET) == WIDGET
    answers.check_body("GET", "/api/widgets/w1", 200, {**WIDGET, "colour": "red"})


@pytest.mark.parametrize("answer", [
    {**WIDGET, "extra": 1},  # gained a field
    {**WIDGET, "parts": [{"name": "bolt", "size": 3}]},  # gained one in a nested object
    {key: value for key, value in WIDGET.items() if key != "note"},  # lost a field
    {**WIDGET, "note": 3},  # retyped
    {**WIDGET, "madeAt": "2026-05-01 08:00:00"},  # a time in another form
    {**WIDGET, "colour": None},  # null where the field is left out instead
], ids=["gained", "gained-nested", "lost", "retyped", "time-format", "null-for-omitted"])
def test_an_answer_unlike_its_schema_fails(answer):
    with pytest.raises(AssertionError, match="does not match its schema"):
        AnswerSchemas(widget_document()).check_body("GET", "/api/widgets/w1", 200, answer)


def test_the_published_document_stays_open_to_new_fields():
    assert "additionalProperties" not in widget_document()["components"]["schemas"]["Widget"]


def test_an_undocumented_status_fails():
    with pytest.raises(AssertionError, match="does not document"):
        AnswerSchemas(widget_document()).check_body("GET", "/api/widgets/w1", 201, WIDGET)


def test_the_most_specific_path_serves_and_unchecked_names_the_rest():
    answers = AnswerSchemas(widget_document())
    assert answers.template_of("get", "/api/widgets/special/parts") == "/api/widgets/special/parts"
    assert answers.template_of("get", "/api/widgets/special") == "/api/widgets/{id}"
    answers.check_body("GET", "/api/widgets/special/parts", 200, [{"name": "nut"}])
    assert answers.unchecked() == {("get", "/api/widgets/{id}", "200")}
