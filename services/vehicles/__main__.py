from shared.runtime import run_service

from .app import create_app
from .settings import VehiclesSettings

run_service("vehicles", VehiclesSettings, create_app)
