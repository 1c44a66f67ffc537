from shared.runtime import run_service

from .app import create_app
from .settings import StationsSettings

run_service("stations", StationsSettings, create_app)
