"""Typed settings, read from the environment (prefix ``GOVLEDGER_``) or passed in by the caller.

Nothing here runs at import time: the CLI and ``create_app`` build a ``Settings`` and hand it on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from govledger.errors import ConfigurationError
from govledger.lru import DEFAULT_MAXSIZE

# Placeholder secrets that must never reach a production deployment.
_PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "dev"})


class Settings(BaseSettings):
    """Every piece of state lives under ``data_dir``, so two data dirs never interfere."""

    model_config = SettingsConfigDict(
        env_prefix="GOVLEDGER_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
    )

    environment: Literal["dev", "test", "prod"] = "dev"
    data_dir: Path = Field(default=Path(".govledger"))

    # Chain: the embedded py-evm chain needs no server; "rpc" talks to any Ethereum JSON-RPC node.
    chain_backend: Literal["embedded", "rpc"] = "embedded"
    chain_rpc_url: str = "http://127.0.0.1:8545"
    chain_id: int = Field(default=1337, ge=1)

    # Database: SQLite under data_dir unless a URL (e.g. postgresql+psycopg://...) is given.
    database_url: str | None = None

    # Unlocks the keystore. No default: unset, a random one is generated once into the keystore
    # directory (outside prod; see govledger.keystore.generated_passphrase).
    keystore_passphrase: SecretStr | None = None
    keystore_dir: Path | None = None  # default: data_dir/keystore

    # Content-addressed blobs; sha2-256 names match IPFS raw-leaf CIDs.
    blob_dir: Path | None = None  # default: data_dir/blobs
    blob_hash: Literal["sm3-256", "sha2-256"] = "sm3-256"

    # Sign-in: tokens name this issuer and audience; the challenge message names the audience.
    auth_issuer: str = "govledger"
    auth_audience: str = Field(default="govledger", pattern=r"^[\x21-\x7e]{1,128}$")
    auth_challenge_lifetime_seconds: int = Field(default=120, ge=10, le=3600)
    auth_token_lifetime_seconds: int = Field(default=900, ge=60, le=86_400)

    # The portal's address as people reach it (e.g. https://licences.example.gov.cn): QR codes
    # and printed licences link to it. Unset, links use the address the request came in on.
    public_base_url: AnyHttpUrl | None = None

    # HTTP request bodies: larger ones are refused (413) before they are read. Uploads (dataset
    # versions, bulk issuance) may be larger than the other JSON bodies.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # The bound of each cache keyed by outside input (directory, tokens, grants, data keys, ...).
    cache_entries: int = Field(default=DEFAULT_MAXSIZE, ge=1)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        # In prod the passphrase must not sit in a file next to the keys it protects.
        if self.environment == "prod" and (
            self.keystore_passphrase is None
            or self.keystore_passphrase.get_secret_value() in _PLACEHOLDER_SECRETS
        ):
            raise ValueError(
                "GOVLEDGER_KEYSTORE_PASSPHRASE must be set to a real secret when "
                "GOVLEDGER_ENVIRONMENT=prod"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'govledger.sqlite').resolve()}"

    @property
    def resolved_keystore_dir(self) -> Path:
        return self.keystore_dir or self.data_dir / "keystore"

    @property
    def resolved_blob_dir(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


def load_settings() -> Settings:
    """Read settings from the environment, turning validation errors into one clear line."""
    try:
        return Settings()
    except ValidationError as exc:
        prefix = Settings.model_config.get("env_prefix", "")
        problems = "; ".join(
            (f"{prefix}{'_'.join(map(str, e['loc'])).upper()}: " if e["loc"] else "")
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        )
        raise ConfigurationError(f"invalid settings: {problems}") from exc
