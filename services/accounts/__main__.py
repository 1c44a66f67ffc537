from shared.runtime import run_service

from .app import create_app
from .settings import AccountsSettings

run_service("accounts", AccountsSettings, create_app)
