"""EDGE_* configuration: derived auth URLs and start-up errors that name the variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.edge.settings import EdgeSettings
from shared.settings import describe_invalid_settings
from shared.testing.infra import IDENTITY_SECRET, REDIS_URL

pytestmark = pytest.mark.pure

REQUIRED = dict(identity_secret=IDENTITY_SECRET, redis_url=REDIS_URL)


def config_error(**values) -> str:
    with pytest.raises(ValidationError) as caught:
        EdgeSettings(**REQUIRED, **values)
    return describe_invalid_settings(EdgeSettings, caught.value)


def test_auth0_domain_derives_jwks_url_and_issuer():
    settings = EdgeSettings(**REQUIRED, auth0_domain="https://motovault.eu.auth0.com/")
    assert settings.auth0_domain == "motovault.eu.auth0.com"
    assert settings.jwks_url == "https://motovault.eu.auth0.com/.well-known/jwks.json"
    assert settings.jwt_issuer == "https://motovault.eu.auth0.com/"
    assert settings.jwt_audience == "https://api.motovault.local"
    assert settings.port == 8080 and settings.upstream_timeout == 30 and settings.upstream_connect_timeout == 2


def test_explicit_values_win_over_derived_ones():
    settings = EdgeSettings(**REQUIRED, auth0_domain="t.auth0.com", dev_issuer=True,
                            jwks_url="http://jwks.local/keys", jwt_issuer="https://login.example/")
    assert (settings.jwks_url, settings.jwt_issuer) == ("http://jwks.local/keys", "https://login.example/")


def test_dev_issuer_points_the_edge_at_itself():
    settings = EdgeSettings(**REQUIRED, dev_issuer=True, port=9090)
    assert settings.jwks_url == "http://127.0.0.1:9090/dev/.well-known/jwks.json"
    assert settings.jwt_issuer == "http://127.0.0.1:9090/dev/"


def test_settings_come_from_edge_variables(monkeypatch):
    monkeypatch.setenv("EDGE_IDENTITY_SECRET", IDENTITY_SECRET)
    monkeypatch.setenv("EDGE_REDIS_URL", REDIS_URL)
    monkeypatch.setenv("EDGE_AUTH0_DOMAIN", "tenant.auth0.com")
    monkeypatch.setenv("EDGE_UPSTREAM_VEHICLES", "http://10.0.0.1:8081/, http://10.0.0.2:8081")
    settings = EdgeSettings()
    assert settings.upstream_urls()["vehicles"] == ["http://10.0.0.1:8081", "http://10.0.0.2:8081"]
    assert settings.jwks_url == "https://tenant.auth0.com/.well-known/jwks.json"


def test_an_issuer_must_be_configured():
    message = config_error()
    assert "EDGE_DEV_ISSUER:" in message
    assert "EDGE_AUTH0_DOMAIN" in message and "EDGE_JWKS_URL" in message


def test_a_bare_jwks_url_needs_an_issuer():
    assert "EDGE_JWT_ISSUER:" in config_error(jwks_url="http://127.0.0.1:9000/jwks.json")


@pytest.mark.parametrize("value", ["", "127.0.0.1:8081", "ftp://svc", "http://a:1,not a url"])
def test_upstream_urls_are_checked(value):
    assert "EDGE_UPSTREAM_STATIONS:" in config_error(dev_issuer=True, upstream_stations=value)


@pytest.mark.parametrize("value", ["1000", "10/fortnight", "x/minute", "10/-5s", "/minute"])
def test_malformed_rate_limits_are_refused(value):
    assert "EDGE_RATE_LIMIT_DEFAULT:" in config_error(dev_issuer=True, rate_limit_default=value)


def test_rate_limit_format_accepts_the_harness_value_and_seconds():
    settings = EdgeSettings(**REQUIRED, dev_issuer=True, rate_limit_default="1000000/minute", rate_limit_ai="5/30s")
    assert (settings.rate_limit_default, settings.rate_limit_ai) == ("1000000/minute", "5/30s")


def test_pkce_redirect_allow_list_includes_the_default_redirect():
    settings = EdgeSettings(**REQUIRED, dev_issuer=True, auth0_allowed_redirects=" https://a.test/cb ,https://b.test/cb,",
                            auth0_redirect_uri="https://c.test/cb")
    assert settings.auth0_allowed_redirect_list() == ["https://a.test/cb", "https://b.test/cb", "https://c.test/cb"]


def test_access_tokens_are_on_only_with_a_database():
    assert not EdgeSettings(**REQUIRED, dev_issuer=True).access_tokens_enabled
    assert not EdgeSettings(**REQUIRED, dev_issuer=True, database_url=" ").access_tokens_enabled
    settings = EdgeSettings(**REQUIRED, dev_issuer=True, database_url="postgresql://postgres@127.0.0.1/motovault_edge")
    assert settings.access_tokens_enabled and settings.access_token_cache_seconds == 60
    assert "EDGE_DATABASE_URL" in config_error(dev_issuer=True, database_url="mysql://x/y")
