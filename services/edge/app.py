"""Wiring of the edge gateway: nothing connects or generates keys until the app starts."""

from aiohttp import web

from shared.cache import add_redis
from shared.http.app import base_app
from shared.redis_client import add_redis_client

from .account_export import add_account_export
from .ai import add_ai
from .api import add_api
from .auth import add_auth
from .auth0 import add_auth0
from .dev_issuer import add_dev_issuer
from .docs import add_docs
from .pkce import add_pkce
from .proxy import add_proxy
from .ratelimit import add_rate_limits
from .security import add_security
from .settings import EdgeSettings
from .tokens_api import add_access_tokens
from .web_app import add_web_app


def create_app(settings: EdgeSettings) -> web.Application:
    # No identity middleware: the edge is where identity is established, from the bearer token.
    app = base_app("edge", settings, require_identity=False)
    add_redis(app, settings)
    add_redis_client(app, settings)  # redis-py, for the commands off the request path
    add_security(app, settings)  # before auth: preflights carry no token, 401s need CORS headers
    add_auth(app, settings)
    add_rate_limits(app, settings)  # after auth: limits are per user once the token is verified
    if settings.auth0_client_id:
        add_auth0(app, settings)
        add_pkce(app, settings)
    elif settings.dev_issuer:
        add_dev_issuer(app, settings)
    add_account_export(app, settings)  # before the proxy: /api/account/export stays the edge's own
    add_proxy(app, settings)
    add_api(app, settings)
    add_access_tokens(app, settings)  # after add_redis: its lookups are cached there
    add_docs(app, settings)
    add_ai(app, settings)
    add_web_app(app, settings)  # last: it answers only what no route above matched
    return app
