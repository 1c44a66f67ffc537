from pydantic import Field

from shared.settings import BackedServiceSettings, ObjectStorageSettings, settings_config


class VehiclesSettings(BackedServiceSettings, ObjectStorageSettings):
    model_config = settings_config("VEHICLES_")

    port: int = Field(default=8081, ge=1, le=65535)
    # NHTSA vPIC; tests point it at a local stand-in speaking the same protocol.
    vpic_base_url: str = Field(default="https://vpic.nhtsa.dot.gov/api", pattern=r"^https?://")
    vpic_timeout: float = Field(default=5.0, gt=0)
    # Enforced by S3 itself through the presigned POST policy (content-length-range).
    image_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    document_max_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    upload_url_ttl: int = Field(default=900, ge=60, le=7 * 24 * 3600)
    # Download links are handed to browsers; short-lived so a leaked link soon stops working.
    download_url_ttl: int = Field(default=300, ge=10, le=3600)
    # A manual odometer reading implying more miles per day than this since the previous reading
    # is refused (409) unless confirmed: most likely a typo (an extra digit).
    max_daily_distance: int = Field(default=1500, gt=0, le=100_000)
