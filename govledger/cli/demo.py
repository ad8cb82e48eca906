"""``govledger demo``: the main job that ``make run`` shows on the embedded defaults.

It issues a sample e-licence the way the platform does: an issuer's SM2 key pair kept in the
data directory (encrypted with the keystore passphrase), the licence's canonical JSON hashed
with SM3 and signed with SM2, the signature checked, and a tampered copy refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from govledger.cli.context import state
from govledger.cli.crypto import write_new_private_file
from govledger.errors import GovLedgerError
from sm_crypto import InvalidSignature, SM2PrivateKey, SM2PublicKey, backend_name, sm3

SAMPLE_LICENCE: dict[str, Any] = {
    "licence_name": "营业执照 (business licence)",
    "licence_number": "DEMO-2026-000001",
    "type_code": "11100000000000000X",
    "issuer": {"name": "Demo City Market Regulation Bureau", "code": "11100000DEMO00001X"},
    "holder": {"name": "张三", "id_type": "111", "id_number": "110101199001011234"},
    "issued_on": "2026-01-15",
    "valid_from": "2026-01-15",
    "valid_to": "2031-01-14",
    "status": "01",
}


def canonical_json(document: dict[str, Any]) -> bytes:
    """One byte string per document: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _issuer_key(directory: Path, passphrase: bytes) -> tuple[SM2PrivateKey, bool]:
    """The demo issuer's key, made on the first run: (key, whether it was just created)."""
    path = directory / "issuer-key.pem"
    if path.exists():
        return SM2PrivateKey.from_pem(path.read_bytes(), passphrase), False
    key = SM2PrivateKey.generate()
    write_new_private_file(path, key.to_pem(passphrase))
    return key, True


def demo(ctx: typer.Context) -> None:
    """Run an end-to-end demonstration on the embedded defaults (no servers needed)."""
    settings = state(ctx).settings
    directory = settings.ensure_data_dir() / "demo"
    directory.mkdir(mode=0o700, exist_ok=True)
    passphrase = settings.keystore_passphrase.get_secret_value().encode()
    key, created = _issuer_key(directory, passphrase)
    # The verifier knows only the public key, as it would from the department registry.
    public = SM2PublicKey.from_pem(key.public_key().to_pem())

    document = canonical_json(SAMPLE_LICENCE)
    signature = key.sign(document)
    (directory / "licence.json").write_bytes(document)
    (directory / "licence.sig").write_bytes(signature)
    public.verify(signature, document)

    tampered = dict(SAMPLE_LICENCE, valid_to="2041-01-14")
    try:
        public.verify(signature, canonical_json(tampered))
    except InvalidSignature:
        pass
    else:
        raise GovLedgerError("a tampered licence verified: the SM2 implementation is broken")

    lines = [
        "govledger demo: sign and verify an e-licence with SM2/SM3",
        f"  crypto backend     {backend_name()}",
        f"  issuer key         {'created' if created else 'reused'}: "
        f"{directory / 'issuer-key.pem'} (encrypted)",
        f"  issuer public key  {public.to_bytes().hex()[:24]}…",
        f"  licence            {SAMPLE_LICENCE['licence_number']} for "
        f"{SAMPLE_LICENCE['holder']['name']}, valid to {SAMPLE_LICENCE['valid_to']}",
        f"  SM3 digest         {sm3(document).hex()}",
        f"  SM2 signature      {len(signature)} bytes DER, written to {directory / 'licence.sig'}",
        "  verification       valid",
        f"  tampered copy      valid_to changed to {tampered['valid_to']}: refused, the "
        "signature does not verify",
    ]
    typer.echo("\n".join(lines))
