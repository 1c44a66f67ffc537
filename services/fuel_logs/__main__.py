from shared.runtime import run_service

from .app import create_app
from .settings import FuelLogsSettings

run_service("fuel_logs", FuelLogsSettings, create_app)
