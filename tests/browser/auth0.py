"""Auth0 standing in for itself in the browser: the authorization-code flow with PKCE.

`/authorize` remembers the S256 challenge and sends the browser back to the redirect URI with a
code and the state; `/oauth/token` gives an RS256 access token (claims shaped like Auth0's, see
the fixtures' access_token_payload_docs_example.json) only for that code, once, to the client and
redirect URI that asked, with the verifier whose challenge it remembered, else Auth0's
`invalid_grant`; `/.well-known/jwks.json` publishes the signing key.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import RSAKey
from yarl import URL

from shared.testing.standin import StandIn

CLIENT_ID = "browser-test-client"
CLIENT_SECRET = "browser-test-client-secret"
PERSON = "auth0|browser-person"


@dataclass
class PendingCode:
    challenge: str
    redirect_uri: str
    client_id: str
    audience: str


@dataclass
class Auth0StandIn:
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "browser-test"}))
    codes: dict[str, PendingCode] = field(default_factory=dict)
    exchanges: list[dict] = field(default_factory=list)
    standin: StandIn | None = None

    @property
    def url(self) -> str:
        return self.standin.url

    async def start(self) -> Auth0StandIn:
        self.standin = await StandIn({
            "/authorize": self.authorize, "/oauth/token": self.token, "/.well-known/jwks.json": self.jwks,
        }).start()
        return self

    async def stop(self) -> None:
        await self.standin.stop()

    async def authorize(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        if (query.get("response_type"), query.get("client_id"), query.get("code_challenge_method")) != (
                "code", CLIENT_ID, "S256") or not query.get("code_challenge") or not query.get("state"):
            return web.json_response({"error": "invalid_request"}, status=400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = PendingCode(query["code_challenge"], query["redirect_uri"], query["client_id"],
                                       query.get("audience", ""))
        raise web.HTTPFound(URL(query["redirect_uri"]).with_query(code=code, state=query["state"]))

    async def token(self, request: web.Request) -> web.Response:
        form = await request.json()
        self.exchanges.append(form)
        pending = self.codes.pop(form.get("code", ""), None)  # a code is good for one exchange
        if pending is None or form.get("grant_type") != "authorization_code" \
                or (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET) \
                or form.get("redirect_uri") != pending.redirect_uri \
                or s256(form.get("code_verifier", "")) != pending.challenge:
            return web.json_response({"error": "invalid_grant", "error_description": "Invalid authorization code"},
                                     status=403)
        now = int(time.time())
        claims = {"iss": self.url + "/", "sub": PERSON, "aud": [pending.audience, self.url + "/userinfo"],
                  "azp": CLIENT_ID, "iat": now, "exp": now + 3600, "scope": "openid profile email"}
        access_token = jwt.encode({"alg": "RS256", "kid": "browser-test"}, claims, self.key)
        return web.json_response({"access_token": access_token, "token_type": "Bearer", "expires_in": 3600})

    async def jwks(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.as_dict(private=False)]})


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def edge_settings(auth0: Auth0StandIn, ports: dict[str, int]) -> dict[str, str]:
    """The edge in production mode against the stand-in: no dev issuer, Auth0's flow."""
    callback = f"http://127.0.0.1:{ports['edge']}/auth/callback"
    return {
        "EDGE_DEV_ISSUER": "false",
        "EDGE_JWKS_URL": auth0.url + "/.well-known/jwks.json", "EDGE_JWT_ISSUER": auth0.url + "/",
        "EDGE_AUTH0_DOMAIN": "browser-test.eu.auth0.com", "EDGE_AUTH0_BASE_URL": auth0.url,
        "EDGE_AUTH0_CLIENT_ID": CLIENT_ID, "EDGE_AUTH0_CLIENT_SECRET": CLIENT_SECRET,
        "EDGE_AUTH0_REDIRECT_URI": callback, "EDGE_AUTH0_ALLOWED_REDIRECTS": callback,
    }
