from pydantic import Field

from shared.settings import BackedServiceSettings, ObjectStorageSettings, settings_config


class FuelLogsSettings(BackedServiceSettings, ObjectStorageSettings):
    model_config = settings_config("FUEL_LOGS_")

    port: int = Field(default=8082, ge=1, le=65535)
