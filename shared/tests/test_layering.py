"""The dependency rule of every feature service, read from the source: the domain speaks no HTTP."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_FILES = sorted((ROOT / "services").glob("*/domain/*.py"))
FORBIDDEN = ("aiohttp", "shared.http")

pytestmark = pytest.mark.pure


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_there_are_domain_modules_to_check():
    assert len(DOMAIN_FILES) > 10


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_imports_nothing_from_the_http_layer(path):
    offending = {m for m in imported_modules(path) if m.split(".")[0] == "aiohttp" or m.startswith("shared.http")}
    assert not offending, f"{path.name} imports {sorted(offending)}"
