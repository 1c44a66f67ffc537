from pydantic import Field

from shared.settings import BackedServiceSettings, ObjectStorageSettings, settings_config


class VehiclesSettings(BackedServiceSettings, ObjectStorageSettings):
    model_config = settings_config("VEHICLES_")

    port: int = Field(default=8081, ge=1, le=65535)
