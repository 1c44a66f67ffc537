"""Login through Auth0: the password-realm grant (a first-party form posting to the edge), and the
token exchange of the authorization-code flow (pkce.py starts it and keeps its state).

POST <base>/oauth/token with grant_type http://auth0.com/oauth/grant-type/password-realm, our
client credentials, the realm (database connection) and our API as `audience` (without it Auth0
returns an opaque token that does not parse as a JWT). Auth0's refusals become a 401; its
brute-force protection (429) is passed on with Retry-After; outages answer 502/504. The password
is never logged.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from aiohttp import web

from shared.http.client import add_http_client
from shared.http.errors import ApiError, BadGateway, GatewayTimeout, Unauthorized

from .settings import EdgeSettings

log = logging.getLogger("motovault.edge.auth0")

AUTH0_HTTP = web.AppKey("auth0_http", aiohttp.ClientSession)
AUTH0 = web.AppKey("auth0_login", "Auth0Login")
PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm"


class Auth0Login:
    def __init__(self, app: web.Application, settings: EdgeSettings) -> None:
        assert settings.auth0_client_id is not None
        self._app = app
        self.base_url = (settings.auth0_base_url or f"https://{settings.auth0_domain}").rstrip("/")
        self._token_url = self.base_url + "/oauth/token"
        self._client = {
            "client_id": settings.auth0_client_id,
            "audience": settings.jwt_audience,
            "scope": settings.auth0_scope,
        }
        if settings.auth0_client_secret is not None:
            self._client["client_secret"] = settings.auth0_client_secret.get_secret_value()
        self._realm = settings.auth0_realm

    async def password_login(self, username: str, password: str) -> dict[str, Any]:
        form = {**self._client, "grant_type": PASSWORD_REALM, "realm": self._realm,
                "username": username, "password": password}
        return await self._token(form)

    async def exchange_code(self, code: str, verifier: str, redirect_uri: str) -> dict[str, Any]:
        """Authorization code + PKCE verifier -> tokens; redirect_uri must equal the authorize one."""
        form = {key: value for key, value in self._client.items() if key in ("client_id", "client_secret")}
        form.update(grant_type="authorization_code", code=code, code_verifier=verifier, redirect_uri=redirect_uri)
        return await self._token(form)

    async def _token(self, form: dict[str, str]) -> dict[str, Any]:
        try:
            async with self._app[AUTH0_HTTP].post(self._token_url, json=form) as response:
                body = await response.json(content_type=None)
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError:
            raise GatewayTimeout("The identity provider did not answer in time") from None
        except (aiohttp.ClientError, ValueError) as exc:
            log.warning("Auth0 token request failed: %s: %s", type(exc).__name__, exc)
            raise BadGateway("The identity provider is unavailable") from None
        if status == 200 and isinstance(body, dict) and "access_token" in body:
            tokens = {"accessToken": body["access_token"], "tokenType": body.get("token_type", "Bearer"),
                      "expiresIn": body.get("expires_in")}
            # The code flow also returns these when the scope asked for them (openid, offline_access).
            for name, key in (("idToken", "id_token"), ("refreshToken", "refresh_token")):
                if key in body:
                    tokens[name] = body[key]
            return tokens
        if status in (401, 403):
            description = body.get("error_description") if isinstance(body, dict) else None
            raise Unauthorized(description or "Wrong username or password")
        if status == 429:
            raise ApiError("Too many login attempts; try again later", status=429,
                           headers={"Retry-After": retry_after or "60"})
        log.warning("Auth0 token request answered HTTP %s", status)
        raise BadGateway("The identity provider refused the request")


def add_auth0(app: web.Application, settings: EdgeSettings) -> None:
    add_http_client(app, AUTH0_HTTP, total_timeout=settings.auth0_timeout, connect_timeout=5)
    app[AUTH0] = Auth0Login(app, settings)
