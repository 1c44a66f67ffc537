from shared.runtime import run_service

from .app import create_app
from .settings import EdgeSettings

run_service("edge", EdgeSettings, create_app)
