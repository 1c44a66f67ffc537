from shared.runtime import run_service

from .app import create_app
from .settings import NotificationsSettings

run_service("notifications", NotificationsSettings, create_app)
