"""Sign-in: ``POST /v1/auth/challenge`` then ``POST /v1/auth/token`` (see docs/platform.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends

from govledger.api.deps import PlatformDep, SessionDep
from govledger.api.schemas import ChallengeCreate, ChallengePublic, TokenCreate, TokenPublic
from govledger.auth.signin import SignInPolicy, SignInService
from govledger.auth.sqlstore import SqlChallengeStore

router = APIRouter(prefix="/v1/auth", tags=["auth"])


def get_signin(platform: PlatformDep, session: SessionDep) -> SignInService:
    settings = platform.settings
    return SignInService(
        store=SqlChallengeStore(session),
        directory=platform.directory,
        tokens=platform.tokens,
        policy=SignInPolicy(
            challenge_lifetime=timedelta(seconds=settings.auth_challenge_lifetime_seconds),
            token_lifetime=timedelta(seconds=settings.auth_token_lifetime_seconds),
        ),
        clock=platform.clock,
    )


SignInDep = Annotated[SignInService, Depends(get_signin)]


@router.post("/challenge", response_model=ChallengePublic)
def create_challenge(body: ChallengeCreate, signin: SignInDep) -> ChallengePublic:
    challenge = signin.start(body.department_code)
    return ChallengePublic(
        challenge_id=challenge.challenge_id,
        nonce=challenge.nonce,
        message=challenge.message,
        expires_at=challenge.expires_at,
    )


@router.post("/token", response_model=TokenPublic)
def create_token(body: TokenCreate, signin: SignInDep) -> TokenPublic:
    issued = signin.finish(body.challenge_id, body.signature)
    return TokenPublic(access_token=issued.token, expires_in=issued.expires_in)
