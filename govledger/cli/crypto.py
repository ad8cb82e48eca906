"""``govledger crypto``: SM2 keys, signatures and SM3 digests from the command line.

Signatures are DER SEQUENCE(r, s) over e = SM3(Z || M), with the signer ID given by ``--uid``
(default ``1234567812345678``), so they verify with ``openssl pkeyutl -verify -rawin -digest sm3
-pkeyopt distid:...``. Failures are raised, not printed: the root command turns them into one
line on stderr (a bad signature is ``(VerificationFailed) ...``, exit code 7).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from govledger.errors import Conflict, InvalidInput
from govledger.files import open_input_file, read_input_file, write_durably
from sm_crypto import DEFAULT_UID, SM2PrivateKey, SM2PublicKey, sm3_hasher

app = typer.Typer(help="SM2 keys and signatures, SM3 digests.", no_args_is_help=True)

# Files are checked when read (govledger.files), so a bad one is a one-line refusal.
InputFile = Annotated[Path, typer.Argument(help="The file to read.")]
PasswordEnv = Annotated[
    str | None,
    typer.Option(
        "--password-env",
        metavar="VAR",
        help="Name of the environment variable holding the private key's password.",
    ),
]
_DEFAULT_UID_TEXT = DEFAULT_UID.decode()
Uid = Annotated[str, typer.Option("--uid", help="The signer ID that goes into Z (GB/T 32918.2).")]


def _password(variable: str | None) -> bytes | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise InvalidInput(f"environment variable {variable} is not set or empty")
    return value.encode()


def _load_private_key(path: Path, password_env: str | None) -> SM2PrivateKey:
    return SM2PrivateKey.from_pem(read_input_file(path), _password(password_env))


@app.command()
def keygen(
    out: Annotated[Path, typer.Option("--out", help="Where to write the private key (PEM).")],
    password_env: PasswordEnv = None,
) -> None:
    """Generate an SM2 key pair: the private key goes to --out as PKCS#8 PEM (encrypted when
    --password-env names a password), the public key to stdout as PEM."""
    key = SM2PrivateKey.generate()
    try:
        write_durably(out, key.to_pem(_password(password_env)), replace=False)
    except FileExistsError:
        raise Conflict(f"{out} already exists; refusing to overwrite a key") from None
    typer.echo(f"wrote the private key to {out}", err=True)
    typer.echo(key.public_key().to_pem().decode(), nl=False)


@app.command()
def pubkey(
    key: Annotated[
        Path,
        typer.Argument(help="A private key (PEM)."),
    ],
    password_env: PasswordEnv = None,
    as_hex: Annotated[
        bool, typer.Option("--hex", help="Print the 65-byte point 04||x||y in hex instead.")
    ] = False,
) -> None:
    """Print the public key of a private key file."""
    public = _load_private_key(key, password_env).public_key()
    typer.echo(public.to_bytes().hex() if as_hex else public.to_pem().decode().rstrip("\n"))


@app.command()
def sign(
    file: InputFile,
    key: Annotated[Path, typer.Option("--key", help="Private key.")],
    uid: Uid = _DEFAULT_UID_TEXT,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the DER signature here, not hex to stdout.")
    ] = None,
    password_env: PasswordEnv = None,
) -> None:
    """Sign FILE with SM2 (over SM3(Z || FILE))."""
    key_pair = _load_private_key(key, password_env)
    signature = key_pair.sign(read_input_file(file), uid=uid.encode())
    if out is None:
        typer.echo(signature.hex())
    else:
        out.write_bytes(signature)


def _read_signature(path: Path) -> bytes:
    """DER as written by ``sign --out`` or ``openssl pkeyutl``, or the hex ``sign`` prints."""
    content = read_input_file(path)
    try:
        return bytes.fromhex(content.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return content


@app.command()
def verify(
    file: InputFile,
    pubkey: Annotated[Path, typer.Option("--pubkey", help="Public key (PEM).")],
    signature: Annotated[
        Path,
        typer.Option("--signature", help="Signature (DER or hex)."),
    ],
    uid: Uid = _DEFAULT_UID_TEXT,
) -> None:
    """Check an SM2 signature over FILE: prints "valid", or fails with exit code 7."""
    public = SM2PublicKey.from_pem(read_input_file(pubkey))
    public.verify(_read_signature(signature), read_input_file(file), uid=uid.encode())
    typer.echo("valid")


@app.command("sm3")
def sm3_digest(file: InputFile) -> None:
    """Print the SM3 digest of FILE, like sha256sum."""
    hasher = sm3_hasher()
    with open_input_file(file) as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
    typer.echo(f"{hasher.hexdigest()}  {file}")
