"""FastAPI dependencies, as ``Annotated`` aliases a route simply declares.

Nothing is a module-level singleton: the composition root builds a :class:`PlatformState` and puts
it on ``app.state.platform``, and each service's state on ``app.state.<name>``; dependencies read
them from the request's app through :func:`app_state`.

The trivial dependencies are ``async``: FastAPI runs a plain ``def`` dependency in its thread
pool, one hand-off per dependency per request, which costs more than these functions do.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from govledger.auth.clock import Clock, utc_now
from govledger.auth.directory import DepartmentDirectory
from govledger.auth.errors import (
    DepartmentSuspended,
    DepartmentUnknown,
    RoleMissing,
    TokenKeyRotated,
    TokenMissing,
)
from govledger.auth.tokens import DEPARTMENT_KIND, TokenService, VerifiedToken
from govledger.db import session_scope
from govledger.deployment import ChainContext
from govledger.errors import ConfigurationError
from govledger.settings import Settings


@dataclass(frozen=True)
class PlatformState:
    """What the platform's routes need, built once by the composition root. ``chain`` is the
    open chain the directory reads (the department routes and readiness use it too)."""

    settings: Settings
    session_factory: sessionmaker[Session]
    directory: DepartmentDirectory
    tokens: TokenService
    clock: Clock = utc_now
    chain: ChainContext | None = None

    def open_chain(self) -> ChainContext:
        if self.chain is None:
            raise ConfigurationError("the platform was built without its chain")
        return self.chain


@dataclass(frozen=True)
class AuthenticatedDepartment:
    """The department a request's token was issued to, with the roles it holds: those of the
    token that the registry still gives it."""

    code: str
    roles: frozenset[str]
    token: VerifiedToken


StateT = TypeVar("StateT")


def app_state(name: str, kind: type[StateT]) -> Callable[[Request], Coroutine[None, None, StateT]]:
    """A dependency giving ``app.state.<name>``, which the app factory sets to a ``kind``.

    Use as ``ServiceDep = Annotated[LicenceService, Depends(app_state("licences",
    LicenceService))]``.
    """

    async def get_state(request: Request) -> StateT:
        state = getattr(request.app.state, name, None)
        if not isinstance(state, kind):
            raise ConfigurationError(f"app.state.{name} is not set: the app factory sets it")
        return state

    get_state.__name__ = f"get_{name}"
    return get_state


PlatformDep = Annotated[PlatformState, Depends(app_state("platform", PlatformState))]


async def get_settings(platform: PlatformDep) -> Settings:
    return platform.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_public_base_url(request: Request, settings: SettingsDep) -> str:
    """The portal's address as people reach it, for links and QR codes:
    ``Settings.public_base_url``, else the address this request came in on."""
    return str(settings.public_base_url or request.base_url).rstrip("/")


PublicBaseUrl = Annotated[str, Depends(get_public_base_url)]


def get_session(platform: PlatformDep) -> Iterator[Session]:
    with session_scope(platform.session_factory) as session:
        yield session


# "function" scope: the commit happens before the response is sent, so a client never sees a
# success whose changes were not stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="An access token from POST /v1/auth/token")


async def get_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None:
        raise TokenMissing("send the access token as 'Authorization: Bearer <token>'")
    return credentials.credentials


TokenDep = Annotated[str, Depends(get_token)]


def authenticate(
    platform: PlatformState, token: str, role: str | None = None
) -> AuthenticatedDepartment:
    """The token's department, checked against the directory (the chain) on every call: still
    registered and active, with the key version the token was issued for, holding ``role`` if
    one is named both in the token and in the registry now. Reads the directory (the chain's
    head): call it from a worker thread, as the dependencies below are."""
    verified = platform.tokens.verify(token, kind=DEPARTMENT_KIND)
    department = platform.directory.get(verified.subject)
    if department is None:
        raise DepartmentUnknown(f"department {verified.subject} is not registered")
    if not department.active:
        raise DepartmentSuspended(f"department {verified.subject} is suspended")
    if verified.key_version != department.key_version:
        raise TokenKeyRotated(
            f"the key of {verified.subject} is at version {department.key_version} now: sign in "
            "again"
        )
    # A role revoked on chain stops the token now; one granted since sign-in needs a new one.
    roles = verified.roles & department.roles
    authenticated = AuthenticatedDepartment(verified.subject, roles, verified)
    if role is not None:
        check_role(authenticated, role)
    return authenticated


def check_role(department: AuthenticatedDepartment, role: str) -> None:
    if role not in department.roles:
        raise RoleMissing(f"this needs the {role} role")


def get_current_department(platform: PlatformDep, token: TokenDep) -> AuthenticatedDepartment:
    """The token's department, which must still be registered and active right now."""
    return authenticate(platform, token)


CurrentDepartment = Annotated[AuthenticatedDepartment, Depends(get_current_department)]


def require_role(
    role: str,
) -> Callable[[AuthenticatedDepartment], Coroutine[None, None, AuthenticatedDepartment]]:
    """A dependency admitting only departments whose token grants ``role`` (else 403).

    Use as ``Issuer = Annotated[AuthenticatedDepartment, Depends(require_role("ISSUER"))]``.
    """

    async def department_with_role(department: CurrentDepartment) -> AuthenticatedDepartment:
        check_role(department, role)
        return department

    department_with_role.__name__ = f"require_role_{role.lower()}"
    return department_with_role
