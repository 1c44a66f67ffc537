"""Environment variables for a service started as its own process in a test (or a benchmark),
pointed at this session's slice of the infrastructure."""

from __future__ import annotations

from typing import Mapping

from .infra import AMQP_URL, IDENTITY_SECRET, REDIS_URL, TestInfra


def prefixed(service: str, values: Mapping[str, str]) -> dict[str, str]:
    """Settings of one service as its variables: PORT of fuel_logs is FUEL_LOGS_PORT."""
    prefix = service.upper() + "_"
    return {prefix + key: value for key, value in values.items()}


def feature_service_env(infra: TestInfra, service: str, *, port: int, database_url: str, exchange: str,
                        s3_endpoint: str, **overrides: str) -> dict[str, str]:
    """Everything a feature service needs, isolated: the session's Redis prefix (and the edge cache
    under it), the given database and exchange, S3 on the session's server. `overrides` are
    settings without the prefix (RETRY_DELAYS_MS="[100,200]")."""
    values = {
        "PORT": str(port),
        "IDENTITY_SECRET": IDENTITY_SECRET,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": f"{infra.redis_prefix}{service}:",
        "EDGE_CACHE_PREFIX": f"{infra.redis_prefix}edge-cache:",
        "AMQP_URL": AMQP_URL,
        "EVENTS_EXCHANGE": exchange,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY": "test",
        "S3_SECRET_KEY": "test-secret",
        "S3_BUCKET": f"mvt-{infra.run_id}-{service.replace('_', '-')}",
        **overrides,
    }
    return prefixed(service, values)
