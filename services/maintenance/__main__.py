from shared.runtime import run_service

from .app import create_app
from .settings import MaintenanceSettings

run_service("maintenance", MaintenanceSettings, create_app)
