"""Hold a service's real answers to the response schemas of its own /openapi.json.

    answers = await AnswerSchemas.of(client)
    body = await answers.check(await client.get("/api/vehicles", headers=alice))
    ...
    assert answers.unchecked() == set()

`check` finds the documented operation the request went to, validates the body against the
schema documented for the answer's status (JSON Schema 2020-12, as OpenAPI 3.1 uses; `$ref`s
resolve against the document's components) and returns the body. The published schemas leave
extra properties open, so clients keep working when a field is added; here every object schema
that lists its properties is closed, so an answer with a property its schema does not list fails
too: a view that gains, loses or retypes a field no longer matches its documentation.
`unchecked()` names the documented success answers with a schema that no check has met yet.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonschema
from aiohttp import ClientResponse

from shared.http.openapi import OPENAPI_PATH

JSON = "application/json"
_PARAMETER = re.compile(r"\{[^}]+\}")

Operation = tuple[str, str, str]  # (method, path template, status)


class AnswerSchemas:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._closed_components = closed(copy.deepcopy(document["components"]))
        self._checked: set[Operation] = set()

    @classmethod
    async def of(cls, client) -> AnswerSchemas:
        """The service's own document, as it serves it."""
        response = await client.get(OPENAPI_PATH)
        assert response.status == 200, await response.text()
        return cls(await response.json())

    async def check(self, response: ClientResponse) -> Any:
        """The answer's JSON body, once it has matched its documented schema."""
        return self.check_body(response.method, response.url.path, response.status, await response.json())

    def check_body(self, method: str, path: str, status: int, body: Any) -> Any:
        """`body`, answered with `status` to `method path`, once it has matched its schema."""
        method, status_text = method.lower(), str(status)
        template = self.template_of(method, path)
        answers = self.document["paths"][template][method]["responses"]
        assert status_text in answers, f"{method.upper()} {path} answered {status}, which it does not document: {body}"
        schema = answers[status_text].get("content", {}).get(JSON, {}).get("schema")
        assert schema is not None, f"{method.upper()} {template} {status} documents no JSON schema of its answer"
        # Formats too (date-time, date, uuid): a time written some other way is a retyped field.
        validator = jsonschema.Draft202012Validator(
            {**closed(copy.deepcopy(schema)), "components": self._closed_components},
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        problems = [f"at /{'/'.join(map(str, error.absolute_path))}: {error.message}"
                    for error in validator.iter_errors(body)]
        assert not problems, f"{method.upper()} {path} {status} does not match its schema:\n" + "\n".join(problems)
        self._checked.add((method, template, status_text))
        return body

    def template_of(self, method: str, path: str) -> str:
        """The documented path `path` was served by: of those that match, the most specific one
        (`/api/fuel-logs/vehicle/{vehicleId}` rather than `/api/fuel-logs/{id}`)."""
        matching = [template for template, operations in self.document["paths"].items()
                    if method in operations and _matcher(template).fullmatch(path)]
        assert matching, f"no documented operation serves {method.upper()} {path}"
        return max(matching, key=lambda template: len(_PARAMETER.sub("", template)))

    def unchecked(self) -> set[Operation]:
        """Documented success answers with a JSON schema that no check has met."""
        documented = {
            (method, template, status)
            for template, operations in self.document["paths"].items()
            for method, operation in operations.items()
            for status, answer in operation["responses"].items()
            if status.startswith("2") and JSON in answer.get("content", {})
        }
        return documented - self._checked


def _matcher(template: str) -> re.Pattern[str]:
    # A parameter may span segments: a station photo's reference is places/{id}/photos/{id}.
    parts = _PARAMETER.split(template)
    return re.compile(".+".join(re.escape(part) for part in parts))


def closed(node: Any) -> Any:
    """`node` with every object schema that lists properties and says nothing of others closed
    to them (in place). Only for checking: the published document stays open."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            closed(value)
    elif isinstance(node, list):
        for item in node:
            closed(item)
    return node
