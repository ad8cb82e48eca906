"""``govledger login``: sign in to a running server as a department and get a bearer token.

The SM2 key comes from the keystore (``--department CODE``: the version the registry has in
force) or from a key file (``--key FILE``: PKCS#8 PEM, encrypted as ``govledger department
export-key`` writes it, or not). The server's challenge is signed here; the key never leaves
this process. Without ``--department`` a key file's department is found by its public key among
the registered departments (``GET /v1/departments``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from govledger.auth.signin import sign_challenge
from govledger.commands import state
from govledger.department_keys import department_key_name
from govledger.errors import GovLedgerError, InvalidInput, NotFound
from govledger.files import read_input_file, read_text_file, write_durably
from govledger.keystore import open_keystore
from sm_crypto import InvalidKey, SM2PrivateKey

DEFAULT_URL = "http://127.0.0.1:8000"
_ENCRYPTED = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"

Url = Annotated[str, typer.Option("--url", help="The server's base URL.")]
PassphraseFile = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help="Read the key file's passphrase from this file (first line); default: prompt.",
    ),
]


class ServerRefused(GovLedgerError):
    """The server answered with a problem; the message names its code."""

    code = "server-refused"
    title = "Refused by the server"
    exit_code = 6


class ServerUnreachable(GovLedgerError):
    """Nothing answered at the server's URL."""

    code = "server-unreachable"
    title = "Server unreachable"
    exit_code = 8


def read_passphrase(passphrase_file: Path | None, *, confirm: bool = False) -> bytes:
    """The passphrase from ``passphrase_file`` (its first line) or typed at a prompt."""
    if passphrase_file is not None:
        lines = read_text_file(passphrase_file).splitlines()
        passphrase = lines[0] if lines else ""
    else:
        passphrase = typer.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)
    if not passphrase:
        raise InvalidInput("the passphrase is empty")
    return passphrase.encode("utf-8")


def load_key_file(path: Path, passphrase_file: Path | None) -> SM2PrivateKey:
    """An SM2 private key from a PEM file; an encrypted one is opened with the passphrase."""
    data = read_input_file(path)
    password = read_passphrase(passphrase_file) if _ENCRYPTED in data else None
    try:
        return SM2PrivateKey.from_pem(data, password)
    except InvalidKey as exc:
        raise InvalidInput(f"{path}: {exc}") from None


class Server:
    """The few calls sign-in needs, each answer checked."""

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url, timeout=30)
        self._url = url

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self._http.close()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerUnreachable(f"no answer from {self._url}: {exc}") from None
        body = response.json()
        if response.is_error:
            raise ServerRefused(f"{body.get('code')}: {body.get('detail') or body.get('title')}")
        return body

    def department_of(self, key: SM2PrivateKey) -> str:
        point = key.public_key().to_bytes().hex()
        for department in self.call("GET", "/v1/departments")["data"]:
            if department["sm2_public_key"] == point:
                return str(department["code"])
        raise NotFound("no registered department has this key in force: name it with --department")

    def sign_in(self, code: str, key: SM2PrivateKey) -> dict[str, Any]:
        challenge = self.call("POST", "/v1/auth/challenge", json={"department_code": code})
        signature = sign_challenge(challenge["message"], key)
        token: dict[str, Any] = self.call(
            "POST",
            "/v1/auth/token",
            json={"challenge_id": challenge["challenge_id"], "signature": signature},
        )
        return token


def login(  # noqa: PLR0917  (Typer passes options positionally)
    ctx: typer.Context,
    department: Annotated[
        str | None, typer.Option("--department", help="The department's code.")
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="An SM2 private key file (PKCS#8 PEM).")
    ] = None,
    passphrase_file: PassphraseFile = None,
    url: Url = DEFAULT_URL,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Write 'Authorization: Bearer <token>' to this file (mode 0600), for "
            "`curl -H @FILE`.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Sign in as a department and print a bearer token. With --export, curl takes the file as
    a header: curl -H @FILE URL."""
    if key is None and department is None:
        raise InvalidInput("name the department (--department CODE) or its key file (--key FILE)")
    with Server(url) as server:
        if key is not None:
            private_key = load_key_file(key, passphrase_file)
            code = department or server.department_of(private_key)
        else:
            assert department is not None
            code = department
            version = server.call("GET", f"/v1/departments/{code}")["key_version"]
            keystore = open_keystore(state(ctx).settings)
            private_key = keystore.load(department_key_name(code, int(version))).sm2
        token = server.sign_in(code, private_key)
    access_token = str(token["access_token"])
    if export is not None:
        write_durably(export, f"Authorization: Bearer {access_token}\n".encode(), replace=True)
    if as_json:
        shown = {"department": code, "access_token": access_token}
        typer.echo(json.dumps(shown | {"expires_in": token["expires_in"]}, indent=2))
    elif export is not None:
        typer.echo(f"signed in as {code}; header written to {export} (curl -H @{export} ...)")
    else:
        typer.echo(access_token)
