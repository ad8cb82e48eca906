"""The gateway's own settings (environment prefix ``GOVLEDGER_GATEWAY_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GOVLEDGER_GATEWAY_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    # The department that operates the gateway: its chain account anchors the access log.
    operator_code: str | None = None
    log_id: str = Field(default="sharing-gateway", pattern=r"^[A-Za-z0-9._-]{1,32}$")
    # Keystore entry of the gateway's own key, which wraps the per-version data keys.
    key_name: str = "sharing-gateway"
    # A segment is anchored when it has this many entries or its oldest entry is this old.
    anchor_max_entries: int = Field(default=2000, ge=1, le=100_000)
    anchor_interval_seconds: float = Field(default=1.0, gt=0, le=2.0)
    # An entry older than this must be anchored: `govledger audit verify` fails on one that is
    # not (rounds run every anchor interval; this leaves room for slow rounds and restarts).
    anchor_deadline_seconds: float = Field(default=60.0, gt=0)
    # Counted uses go on chain (consumeUses) this often; the local count is exact meanwhile.
    uses_record_interval_seconds: float = Field(default=10.0, gt=0)
    # Requests unanswered for longer are shown as overdue.
    answer_deadline_hours: float = Field(default=120.0, gt=0)
