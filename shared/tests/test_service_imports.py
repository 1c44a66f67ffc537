"""What a service loads at start: none of the heavy libraries it does not need yet.

Each of them is megabytes of resident memory in every process that imports it (bench/memory.py):
redis-py's package about 6 MB (a feature service reaches Redis only through
shared.redis_pipeline), joserfc with cryptography's Rust extension 11-12 MB (the identity
assertion is verified with the standard library's HMAC), boto3 25 MB (made on first storage use),
stream_zip with pycryptodome 3 MB (the edge's first account export), icalendar 2 MB
(notifications' first calendar feed).
"""

import ast
import subprocess
import sys

import pytest

pytestmark = pytest.mark.pure

FEATURE_SERVICES = ("vehicles", "fuel_logs", "stations", "maintenance", "notifications", "accounts")
HEAVY = ("redis", "joserfc", "cryptography", "authlib", "boto3", "botocore", "stream_zip", "Crypto", "icalendar")


def loaded_at_start(service: str, libraries: set[str]) -> set[str]:
    """Which of `libraries` (top-level packages) a fresh interpreter holds once the service's app is imported."""
    code = (
        "import sys\n"
        f"import services.{service}.app\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(libraries)!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(ast.literal_eval(result.stdout.strip()))


@pytest.mark.parametrize("service", FEATURE_SERVICES)
def test_a_feature_service_imports_none_of_the_heavy_libraries(service):
    assert loaded_at_start(service, set(HEAVY)) == set()


def test_the_edge_loads_the_export_zip_only_for_an_export():
    assert loaded_at_start("edge", {"stream_zip", "Crypto"}) == set()


def test_the_edge_does_load_them_so_the_check_can_see_them():
    assert loaded_at_start("edge", {"redis", "joserfc"}) == {"redis", "joserfc"}
