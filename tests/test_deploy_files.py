"""Offline checks of the deployment files: docker-compose.yml, .env.example and deploy/.

No Docker engine needed. Each service's container environment is worked out the way compose does
it: the keys of .env.example when the service has `env_file: .env` (standing in for the .env an
operator copies from it), overridden by its `environment:` with `${...}` substituted from
.env.example. That environment is then checked against the service's settings class, found by
its env prefix in `services/<name>/settings.py`; a service without that module yet is skipped.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic_settings import BaseSettings

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
INIT_DATABASES = ROOT / "deploy" / "postgres" / "init-databases.sql"

INFRASTRUCTURE = ("postgres", "redis", "rabbitmq", "minio")
FEATURE_SERVICES = ("vehicles", "fuel_logs", "stations", "maintenance", "notifications")
# accounts is no feature service (it holds deletions, not user data) but is wired like one.
APP_SERVICES = ("edge", *FEATURE_SERVICES, "accounts")
START_CONDITIONS = {"service_healthy", "service_completed_successfully"}

ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
# `$$` is a literal `$`; `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?err}`, `${NAME?err}`.
INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def env_prefix(service: str) -> str:
    return service.upper() + "_"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; comments (including commented-out examples) and blank lines skipped."""
    values = {}
    for line in path.read_text().splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            values[match[1]] = match[2].strip()
    return values


def interpolate(value: str, variables: dict[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        if match[0] == "$$":
            return "$"
        name, operator, argument = match[1], match[2], match[3]
        value = variables.get(name)
        missing = value is None or (value == "" and operator and operator.startswith(":"))
        if missing and operator and operator.endswith("?"):
            raise AssertionError(f"${{{name}}} is required by docker-compose.yml: {argument}")
        if missing and operator and operator.endswith("-"):
            return argument
        return value or ""

    return INTERPOLATION.sub(substitute, value)


def as_mapping(environment: dict | list | None) -> dict[str, str]:
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    values = {}
    for key, value in (environment or {}).items():
        values[key] = str(value).lower() if isinstance(value, bool) else ("" if value is None else str(value))
    return values


def env_files(definition: dict) -> list[str]:
    entries = definition.get("env_file") or []
    if isinstance(entries, str):
        entries = [entries]
    return [entry["path"] if isinstance(entry, dict) else entry for entry in entries]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def dotenv() -> dict[str, str]:
    return read_env_file(ENV_EXAMPLE)


def container_environment(definition: dict, dotenv: dict[str, str]) -> dict[str, str]:
    environment: dict[str, str] = {}
    for path in env_files(definition):
        assert path == ".env", f"unexpected env_file {path}: only .env is documented by .env.example"
        environment.update(dotenv)
    for key, value in as_mapping(definition.get("environment")).items():
        environment[key] = interpolate(value, dotenv)
    return environment


def settings_class(service: str) -> type[BaseSettings]:
    """The settings class of a service, or a skip while the service has no settings module yet."""
    module_name = f"services.{service}.settings"
    try:
        spec = importlib.util.find_spec(module_name)
    except ModuleNotFoundError:
        spec = None
    if spec is None:
        pytest.skip(f"{module_name} does not exist yet")
    module = importlib.import_module(module_name)
    prefix = env_prefix(service)
    candidates = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseSettings)
        and value.__module__ == module_name
        and value.model_config.get("env_prefix") == prefix
    ]
    assert len(candidates) == 1, f"{module_name} should define one settings class with env_prefix {prefix!r}"
    return candidates[0]


def env_name(prefix: str, field_name: str, field) -> str:
    alias = field.validation_alias or field.alias
    return (alias if isinstance(alias, str) else prefix + field_name).upper()


def required_variables(cls: type[BaseSettings]) -> set[str]:
    prefix = cls.model_config.get("env_prefix", "")
    return {env_name(prefix, name, field) for name, field in cls.model_fields.items() if field.is_required()}


# --- structure ----------------------------------------------------------------------------------


def test_compose_defines_infrastructure_and_every_service(services):
    missing = set(INFRASTRUCTURE + APP_SERVICES) - set(services)
    assert not missing, f"docker-compose.yml lacks {sorted(missing)}"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_service_is_built_from_the_shared_dockerfile(services, service):
    build = services[service]["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    assert build["args"]["SERVICE"] == service


def test_built_services_have_healthchecks_and_wait_for_healthy_dependencies(services):
    built = {name: definition for name, definition in services.items() if "build" in definition}
    assert set(APP_SERVICES) <= set(built)
    for name, definition in built.items():
        port = definition["build"]["args"]["PORT"]
        assert f":{port}/health" in " ".join(definition["healthcheck"]["test"]), name
        depends_on = definition.get("depends_on")
        assert isinstance(depends_on, dict) and depends_on, f"{name}: depends_on must name conditions"
        for dependency, rule in depends_on.items():
            assert dependency in services, f"{name} depends on unknown service {dependency}"
            assert rule.get("condition") in START_CONDITIONS, f"{name} -> {dependency}: {rule}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck to wait for"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_service_listens_where_its_healthcheck_and_the_edge_look(services, dotenv, service):
    definition = services[service]
    environment = container_environment(definition, dotenv)
    port = str(definition["build"]["args"]["PORT"])
    assert environment[env_prefix(service) + "PORT"] == port
    if service != "edge":
        assert definition.get("expose") == [port] and "ports" not in definition, "feature services stay internal"
        upstreams = container_environment(services["edge"], dotenv)[f"EDGE_UPSTREAM_{service.upper()}"]
        assert all(urlsplit(url).port == int(port) for url in upstreams.split(",")), upstreams


def test_compose_takes_only_documented_variables_from_env(dotenv):
    used = {match[1] for match in INTERPOLATION.finditer(COMPOSE_FILE.read_text()) if match[1]}
    undocumented = used - set(dotenv)
    assert not undocumented, f".env.example does not document {sorted(undocumented)}"


# --- environment against the settings classes -----------------------------------------------------


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_required_setting_is_provided(services, dotenv, service):
    cls = settings_class(service)
    environment = container_environment(services[service], dotenv)
    missing = {name for name in required_variables(cls) if not environment.get(name)}
    assert not missing, f"{service} requires {sorted(missing)}, not set in docker-compose.yml or .env.example"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_settings_load_from_the_compose_environment(services, dotenv, service, monkeypatch):
    cls = settings_class(service)
    prefix = cls.model_config.get("env_prefix", "")
    for key in [key for key in os.environ if key.upper().startswith(prefix)]:
        monkeypatch.delenv(key)
    for key, value in container_environment(services[service], dotenv).items():
        monkeypatch.setenv(key, value)
    cls()  # a ValidationError names the malformed variable


def test_edge_and_services_share_one_identity_secret(services, dotenv):
    secrets = {
        name: as_mapping(services[name].get("environment"))[env_prefix(name) + "IDENTITY_SECRET"]
        for name in APP_SERVICES
    }
    assert len(set(secrets.values())) == 1, secrets
    assert len(interpolate(secrets["edge"], dotenv)) >= 32


def test_each_service_with_a_database_has_its_own(services, dotenv):
    # The edge's holds personal access tokens (services/edge/token_store.py).
    created = re.findall(r"^CREATE DATABASE (\w+);", INIT_DATABASES.read_text(), re.MULTILINE)
    used = [
        urlsplit(container_environment(services[name], dotenv)[env_prefix(name) + "DATABASE_URL"]).path.lstrip("/")
        for name in APP_SERVICES
    ]
    assert sorted(used) == sorted(created) == sorted(f"motovault_{name}" for name in APP_SERVICES)
    mounts = " ".join(services["postgres"]["volumes"])
    assert "./deploy/postgres/init-databases.sql:/docker-entrypoint-initdb.d/" in mounts


def test_dockerfile_builds_a_slim_non_root_image_with_a_healthcheck():
    text = DOCKERFILE.read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\} AS builder$", text, re.MULTILINE)
    assert "COPY --from=builder /opt/venv /opt/venv" in text
    assert "PYTHONUNBUFFERED=1" in text
    assert re.search(r"^EXPOSE ", text, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n.*/health", text, re.MULTILINE)
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
