"""The errors a use case or a domain rule raises, in words of the domain, not of HTTP.

The platform's error middleware (shared/http/middleware.py) turns each into the documented error
shape in one place: not found 404, conflict 409, invalid input 400 with field details, a
dependency down 503. Domain code raises these and never imports aiohttp or shared.http.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pydantic import ValidationError


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(DomainError):
    """Missing, or someone else's: both look the same to the caller."""


class ConflictError(DomainError):
    """The change contradicts what is stored (a duplicate, a stale state).

    `details` (optional) name what it conflicts with, e.g. the stored odometer reading a new one
    contradicts, so the caller can show it and confirm."""

    def __init__(self, message: str, *, details: list[dict] | None = None) -> None:
        super().__init__(message)
        self.conflicts = details

    def details(self) -> list[dict] | None:
        return self.conflicts


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str
    type: str = "value_error"


def field_problems(exc: ValidationError) -> list[FieldProblem]:
    """A pydantic error as field problems, named by alias (the camelCase the wire speaks);
    positions inside lists stay numeric ("subtypes.1")."""
    return [
        FieldProblem(".".join(str(part) for part in error["loc"]) or "body", error["msg"], error["type"])
        for error in exc.errors(include_url=False, include_input=False)
    ]


class InvalidInput(DomainError):
    """Input that parsed but breaks a rule; `problems` name the fields at fault."""

    def __init__(self, *problems: FieldProblem, message: str = "Invalid input") -> None:
        super().__init__(message)
        self.problems = problems

    @classmethod
    def field(cls, field: str, message: str, type: str = "value_error") -> "InvalidInput":
        return cls(FieldProblem(field, message, type))

    def details(self) -> list[dict[str, str]]:
        return [asdict(problem) for problem in self.problems]


class DependencyUnavailable(DomainError):
    """Something the service needs (its database, object storage) cannot be reached right now."""

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after
