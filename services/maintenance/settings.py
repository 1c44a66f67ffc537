from pydantic import Field

from shared.settings import BackedServiceSettings, settings_config


class MaintenanceSettings(BackedServiceSettings):
    model_config = settings_config("MAINTENANCE_")

    port: int = Field(default=8084, ge=1, le=65535)
