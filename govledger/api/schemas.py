"""Request and response bodies of the platform's routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from govledger.auth.directory import DEPARTMENT_CODE_PATTERN


class ChallengeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department_code: str = Field(pattern=DEPARTMENT_CODE_PATTERN)


class ChallengePublic(BaseModel):
    challenge_id: str
    nonce: str
    message: str = Field(description="Sign these exact UTF-8 bytes with the department's SM2 key")
    expires_at: datetime


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    challenge_id: str = Field(min_length=1, max_length=64)
    signature: str = Field(
        min_length=1,
        max_length=160,
        description="SM2 signature over the challenge message: DER (r, s), hex-encoded",
    )


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth token type, no secret)
    expires_in: int
