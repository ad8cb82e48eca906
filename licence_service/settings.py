"""The licence service's settings (environment prefix ``GOVLEDGER_LICENCE_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LicenceSettings(BaseSettings):
    """Batching, signing and holder-token policy."""

    model_config = SettingsConfigDict(
        env_prefix="GOVLEDGER_LICENCE_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    # A batch of single issues is anchored once it holds this many licences ...
    batch_max_size: int = Field(default=1000, ge=1, le=100_000)
    # ... or once its first licence has waited this long.
    batch_max_wait_s: float = Field(default=2.0, gt=0, le=3600)
    # A bulk call anchors its licences in batches of at most this many.
    bulk_batch_size: int = Field(default=50_000, ge=1, le=100_000)
    bulk_max_licences: int = Field(default=50_000, ge=1, le=100_000)
    # SM2 runs in libcrypto with the GIL released: one signing thread per core.
    sign_threads: int = Field(default=2, ge=1, le=64)
    holder_token_lifetime_days: int = Field(default=366, ge=1, le=3660)
    presentation_max_lifetime_s: int = Field(default=7 * 86_400, ge=1)
    # A batch the chain refused, or one still not anchored this long after it was due, makes
    # GET /readyz fail: licence anchoring is stalled.
    anchor_stall_s: float = Field(default=60.0, gt=0)
