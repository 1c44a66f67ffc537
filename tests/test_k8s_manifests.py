"""Offline checks of the Kubernetes manifests in deploy/k8s (no cluster needed).

Every document is parsed and, when kubernetes-validate is installed, validated against the
Kubernetes API schemas. Each service has a Deployment, a Service and a HorizontalPodAutoscaler
that fit together (selectors, ports, scale target), liveness on /health and readiness on /ready,
resource requests and limits. Its container environment is worked out the way the kubelet builds
it (envFrom ConfigMaps and Secrets, then `env` entries with values or key references) and checked
against the service's settings class: every required setting is provided, the settings load, and
credentials come from Secrets only.
"""

from __future__ import annotations

import base64
import importlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic_settings import BaseSettings

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZATION = K8S / "kustomization.yaml"
# The Kubernetes release the schemas are checked against (kubernetes-validate ships its schemas).
KUBERNETES_VERSION = "1.30.0"

SERVICES = {"edge": "edge", "vehicles": "vehicles", "fuel_logs": "fuel-logs",
            "stations": "stations", "maintenance": "maintenance", "notifications": "notifications",
            "accounts": "accounts"}
FEATURE_SERVICES = ("vehicles", "fuel_logs", "stations", "maintenance", "notifications")
# Settings whose values are credentials (or URLs carrying passwords): only from a Secret.
SECRET_SUFFIXES = ("IDENTITY_SECRET", "DATABASE_URL", "REDIS_URL", "AMQP_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY",
                   "API_KEY", "CLIENT_SECRET", "PHOTO_URL_SECRET", "SMTP_PASSWORD")


def manifest_files() -> list[Path]:
    return sorted(path for path in K8S.glob("*.yaml") if path != KUSTOMIZATION)


def load_documents() -> list[dict]:
    documents = []
    for path in manifest_files():
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                documents.append(document)
    return documents


DOCUMENTS = load_documents()


def find(kind: str, name: str) -> dict:
    matches = [d for d in DOCUMENTS if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} named {name}, found {len(matches)}"
    return matches[0]


def document_id(document: dict) -> str:
    return f"{document['kind']}/{document['metadata']['name']}"


# --- files and schemas ------------------------------------------------------------------------


def test_every_document_is_a_named_kubernetes_object():
    assert manifest_files(), "deploy/k8s has no manifests"
    for document in DOCUMENTS:
        assert {"apiVersion", "kind", "metadata"} <= set(document), document
        assert document["metadata"].get("name"), document
    ids = [document_id(d) for d in DOCUMENTS]
    assert len(ids) == len(set(ids)), f"duplicate objects: {ids}"


def test_kustomization_lists_every_manifest_file():
    kustomization = yaml.safe_load(KUSTOMIZATION.read_text())
    assert sorted(kustomization["resources"]) == sorted(path.name for path in manifest_files())
    imaged = {image["name"] for image in kustomization.get("images", [])}
    assert imaged == {container_of(deployment(s))["image"].split(":")[0] for s in SERVICES}


@pytest.mark.parametrize("document", DOCUMENTS, ids=document_id)
def test_document_is_valid_against_the_kubernetes_api_schema(document):
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate",
        reason="kubernetes-validate is not installed (pip install kubernetes-validate==1.37.0; test extra)",
    )
    # strict: unknown fields (a typo such as `readinesProbe`) fail too, not only wrong types.
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_schema_validation_catches_a_broken_deployment():
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate",
        reason="kubernetes-validate is not installed (pip install kubernetes-validate==1.37.0; test extra)",
    )
    broken = yaml.safe_load(yaml.safe_dump(deployment("vehicles")))
    container_of(broken)["ports"][0]["containerPort"] = "eighty"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


# --- each service: Deployment, Service, HorizontalPodAutoscaler --------------------------------


def deployment(service: str) -> dict:
    return find("Deployment", SERVICES[service])


def container_of(deployment_doc: dict) -> dict:
    containers = deployment_doc["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one container per pod"
    return containers[0]


def container_port(container: dict, port) -> int:
    if isinstance(port, int):
        return port
    [match] = [p["containerPort"] for p in container["ports"] if p.get("name") == port]
    return match


@pytest.mark.parametrize("service", SERVICES)
def test_service_routes_to_the_deployments_pods(service):
    pods = deployment(service)["spec"]["template"]
    selector = deployment(service)["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pods["metadata"]["labels"].items()
    svc = find("Service", SERVICES[service])
    assert svc["spec"]["selector"].items() <= pods["metadata"]["labels"].items()
    container = container_of(deployment(service))
    [port] = svc["spec"]["ports"]
    assert container_port(container, port["targetPort"]) == port["port"]


@pytest.mark.parametrize("service", SERVICES)
def test_autoscaler_targets_the_deployment(service):
    hpa = find("HorizontalPodAutoscaler", SERVICES[service])
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == ("apps/v1", "Deployment", SERVICES[service])
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert hpa["spec"]["minReplicas"] >= 2, "one pod is no availability during a rollout or a node loss"
    # Utilization is relative to the CPU request: without one the autoscaler cannot compute it.
    assert any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in hpa["spec"]["metrics"])


@pytest.mark.parametrize("service", SERVICES)
def test_probes_resources_and_security(service):
    spec = deployment(service)["spec"]["template"]["spec"]
    container = container_of(deployment(service))
    listening = int(container_environment(service)[service.upper() + "_PORT"])
    for probe, path in (("livenessProbe", "/health"), ("readinessProbe", "/ready")):
        check = container[probe]["httpGet"]
        assert check["path"] == path, f"{probe} of {service}"
        assert container_port(container, check["port"]) == listening, f"{probe} of {service}"
    resources = container["resources"]
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(resources[kind]), f"{service} lacks {kind}"
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    # Longer than the service's own shutdown timeout, so it drains before being killed.
    assert spec["terminationGracePeriodSeconds"] > 10
    assert container["image"].split(":")[0] == f"motovault/{service}"


# --- configuration --------------------------------------------------------------------------------


def secret_values(secret: dict) -> dict[str, str]:
    values = {key: base64.b64decode(value).decode() for key, value in (secret.get("data") or {}).items()}
    values.update(secret.get("stringData") or {})
    return values


def source(kind: str, name: str) -> dict[str, str]:
    document = find(kind, name)
    return dict(document.get("data") or {}) if kind == "ConfigMap" else secret_values(document)


def environment_with_origin(service: str) -> dict[str, tuple[str, str]]:
    """name -> (value, kind of object it came from), as the kubelet assembles it: envFrom in order,
    then `env` entries, which win."""
    container = container_of(deployment(service))
    environment: dict[str, tuple[str, str]] = {}
    for entry in container.get("envFrom", []):
        kind = "ConfigMap" if "configMapRef" in entry else "Secret"
        ref = entry.get("configMapRef") or entry["secretRef"]
        for key, value in source(kind, ref["name"]).items():
            environment[entry.get("prefix", "") + key] = (value, kind)
    for entry in container.get("env", []):
        if "value" in entry:
            environment[entry["name"]] = (str(entry["value"]), "literal")
            continue
        reference = entry["valueFrom"]
        kind = "ConfigMap" if "configMapKeyRef" in reference else "Secret"
        ref = reference.get("configMapKeyRef") or reference["secretKeyRef"]
        values = source(kind, ref["name"])
        assert ref["key"] in values, f"{service}: {kind} {ref['name']} has no key {ref['key']}"
        environment[entry["name"]] = (values[ref["key"]], kind)
    return environment


def container_environment(service: str) -> dict[str, str]:
    return {name: value for name, (value, _) in environment_with_origin(service).items()}


def settings_class(service: str) -> type[BaseSettings]:
    module_name = f"services.{service}.settings"
    module = importlib.import_module(module_name)
    prefix = service.upper() + "_"
    candidates = [
        value for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseSettings) and value.__module__ == module_name
        and value.model_config.get("env_prefix") == prefix
    ]
    assert len(candidates) == 1, f"{module_name} should define one settings class with env_prefix {prefix!r}"
    return candidates[0]


def required_variables(cls: type[BaseSettings]) -> set[str]:
    prefix = cls.model_config.get("env_prefix", "")
    names = set()
    for name, field in cls.model_fields.items():
        if field.is_required():
            alias = field.validation_alias or field.alias
            names.add((alias if isinstance(alias, str) else prefix + name).upper())
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_every_required_setting_is_provided(service):
    environment = container_environment(service)
    missing = {name for name in required_variables(settings_class(service)) if not environment.get(name)}
    assert not missing, f"{service} requires {sorted(missing)}, not provided by its ConfigMap or Secret"


@pytest.mark.parametrize("service", SERVICES)
def test_settings_load_from_the_pod_environment(service, monkeypatch):
    cls = settings_class(service)
    prefix = cls.model_config.get("env_prefix", "")
    for key in [key for key in os.environ if key.upper().startswith(prefix)]:
        monkeypatch.delenv(key)
    environment = container_environment(service)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    settings = cls()  # a ValidationError names the malformed variable
    known = {(prefix + name).upper() for name in cls.model_fields}
    unknown = {key for key in environment if key.startswith(prefix) and key not in known}
    assert not unknown, f"{service}: {sorted(unknown)} are not settings of {cls.__name__} (typo?)"
    if service != "edge":
        assert settings.create_database is False, "in a cluster the databases are provisioned, not created"


@pytest.mark.parametrize("service", SERVICES)
def test_credentials_come_from_secrets_only(service):
    for name, (value, origin) in environment_with_origin(service).items():
        if name.endswith(SECRET_SUFFIXES):
            assert origin == "Secret", f"{service}: {name} comes from a {origin}, not a Secret"
    for document in DOCUMENTS:
        if document["kind"] == "ConfigMap":
            leaked = [key for key in document.get("data", {}) if key.endswith(SECRET_SUFFIXES)]
            assert not leaked, f"ConfigMap {document['metadata']['name']} holds credentials {leaked}"


def test_edge_and_services_share_one_identity_secret():
    references = set()
    for service in SERVICES:
        [entry] = [e for e in container_of(deployment(service)).get("env", [])
                   if e["name"] == service.upper() + "_IDENTITY_SECRET"]
        ref = entry["valueFrom"]["secretKeyRef"]
        references.add((ref["name"], ref["key"]))
    assert len(references) == 1, references
    assert len(container_environment("edge")["EDGE_IDENTITY_SECRET"]) >= 32


def test_edge_upstreams_are_the_services():
    environment = container_environment("edge")
    for service in (*FEATURE_SERVICES, "accounts"):
        svc = find("Service", SERVICES[service])
        for url in environment[f"EDGE_UPSTREAM_{service.upper()}"].split(","):
            parts = urlsplit(url)
            assert (parts.hostname, parts.port) == (svc["metadata"]["name"], svc["spec"]["ports"][0]["port"])
    assert environment.get("EDGE_DEV_ISSUER", "false") == "false", "the dev issuer is for local runs only"


def test_each_service_has_its_own_database():
    # The edge's holds personal access tokens (services/edge/token_store.py).
    databases = [urlsplit(container_environment(s)[s.upper() + "_DATABASE_URL"]).path for s in SERVICES]
    assert sorted(databases) == sorted(f"/motovault_{s}" for s in SERVICES)
