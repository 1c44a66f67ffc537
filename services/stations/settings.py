from pydantic import Field

from shared.settings import BackedServiceSettings, settings_config


class StationsSettings(BackedServiceSettings):
    model_config = settings_config("STATIONS_")

    port: int = Field(default=8083, ge=1, le=65535)
