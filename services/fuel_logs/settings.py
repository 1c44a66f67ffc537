from pydantic import Field

from shared.settings import BackedServiceSettings, OdometerGuardSettings, ObjectStorageSettings, settings_config


class FuelLogsSettings(BackedServiceSettings, ObjectStorageSettings, OdometerGuardSettings):
    model_config = settings_config("FUEL_LOGS_")

    port: int = Field(default=8082, ge=1, le=65535)
    # The vehicle projection lags vehicles by the event's trip: a fill-up for a vehicle we have
    # not heard of yet waits this long for vehicle.created before answering 404.
    vehicle_wait_seconds: float = Field(default=2.5, ge=0, le=30)
    # Fallback polling while waiting, in case a NOTIFY is missed (listener reconnecting).
    vehicle_wait_poll_seconds: float = Field(default=0.25, gt=0)
    receipt_max_bytes: int = Field(default=10_485_760, gt=0)
    receipt_upload_expires_seconds: int = Field(default=900, ge=60, le=604_800)
    receipt_download_expires_seconds: int = Field(default=300, ge=60, le=604_800)
    import_max_rows: int = Field(default=5_000, gt=0)
    # Largest import file; the platform's MAX_BODY_BYTES (1 MiB by default) caps every body too.
    import_max_bytes: int = Field(default=1_048_576, gt=0)
