"""Configuration of the maintenance service (environment variables prefixed MAINTENANCE_)."""

from decimal import Decimal

from pydantic import Field

from shared.settings import BackedServiceSettings, OdometerGuardSettings, settings_config

from .domain.urgency import Thresholds


class MaintenanceSettings(BackedServiceSettings, OdometerGuardSettings):
    model_config = settings_config("MAINTENANCE_")

    port: int = Field(default=8084, ge=1, le=65535)
    # Default urgency thresholds, for schedules without their own; distances are in the caller's
    # unit (50 means 50 km to a metric caller).
    very_urgent_days: int = Field(default=7, ge=0)
    urgent_days: int = Field(default=30, ge=0)
    very_urgent_distance: Decimal = Field(default=Decimal(50), ge=0)
    urgent_distance: Decimal = Field(default=Decimal(100), ge=0)
    upcoming_cache_seconds: int = Field(default=3600, gt=0)
    # Days of odometer readings behind the driving rate that projects distance-based due dates.
    driving_rate_window_days: int = Field(default=90, gt=0)
    # How often the sweep announces schedules that fell due by the passage of time alone.
    due_sweep_interval: float = Field(default=3600.0, gt=0)
    # Imports: at most this many service records per file, and files of at most this many bytes
    # (the platform's MAX_BODY_BYTES, 1 MiB by default, caps every body too).
    import_max_rows: int = Field(default=5_000, gt=0)
    import_max_bytes: int = Field(default=1_048_576, gt=0)

    def default_thresholds(self) -> Thresholds:
        return Thresholds(
            very_urgent_days=self.very_urgent_days,
            urgent_days=self.urgent_days,
            very_urgent_distance=Decimal(self.very_urgent_distance),
            urgent_distance=Decimal(self.urgent_distance),
        )
