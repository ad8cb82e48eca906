"""SM2 key files: PEM armour, PKCS#8 and SEC 1 private keys, SubjectPublicKeyInfo, and PKCS#8
encryption with PBES2 (PBKDF2-HMAC-SHA256 + SM4-CBC), which ``openssl pkey -passin`` reads.

Writing is the same for both backends; reading is what the python backend uses (the native one
lets OpenSSL read private keys, so it also takes the other formats OpenSSL knows).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets

from sm_crypto import _der
from sm_crypto._sm4 import SM4CBC
from sm_crypto.backends import Backend
from sm_crypto.exceptions import DecryptionFailed, InvalidKey

OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_SM2_CURVE = "1.2.156.10197.1.301"
OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
OID_SM4_CBC = "1.2.156.10197.1.104.2"
OID_HMAC_WITH_SHA256 = "1.2.840.113549.2.9"
_PRF_HASHES = {
    "1.2.840.113549.2.7": "sha1",  # PKCS#5's default when the PRF is absent
    "1.2.840.113549.2.8": "sha224",
    OID_HMAC_WITH_SHA256: "sha256",
    "1.2.840.113549.2.10": "sha384",
    "1.2.840.113549.2.11": "sha512",
}

PEM_KDF_ITERATIONS = 100_000
"""PBKDF2 rounds for encrypted PEM files written here (OpenSSL's own default is only 2048)."""
_MAX_KDF_ITERATIONS = 10_000_000  # refuse files that would keep us busy for minutes
_SCALAR_SIZE = 32
_POINT_SIZE = 65

# SEC 1 keys come labelled "EC PRIVATE KEY", or "SM2 PRIVATE KEY" by `openssl ec` 3.0.
PRIVATE_KEY_LABELS = ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY", "SM2 PRIVATE KEY")
_PEM_BLOCK = re.compile(
    r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL | re.ASCII
)


# ---------------------------------------------------------------------------------------------
# PEM


def pem_encode(label: str, der: bytes) -> bytes:
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""]).encode()


def pem_decode(data: bytes, labels: tuple[str, ...]) -> tuple[str, dict[str, str], bytes]:
    """The first PEM block with one of ``labels``: (label, RFC 1421 headers, DER)."""
    text = data.decode("ascii", errors="replace")
    for match in _PEM_BLOCK.finditer(text):
        label, body = match.group(1), match.group(2)
        if label not in labels:
            continue
        headers: dict[str, str] = {}
        header_text, blank, payload = body.partition("\n\n")
        if blank and ":" in header_text:
            for line in header_text.splitlines():
                name, _, value = line.partition(":")
                headers[name.strip()] = value.strip()
        else:
            payload = body
        try:
            return label, headers, base64.b64decode("".join(payload.split()), validate=True)
        except binascii.Error as exc:
            raise InvalidKey(f"the {label} PEM block is not valid base64") from exc
    raise InvalidKey(f"no PEM block labelled {' or '.join(labels)} found")


def private_key_pem_is_encrypted(data: bytes) -> bool:
    label, headers, _ = pem_decode(data, PRIVATE_KEY_LABELS)
    return label == "ENCRYPTED PRIVATE KEY" or "ENCRYPTED" in headers.get("Proc-Type", "")


# ---------------------------------------------------------------------------------------------
# Public keys


def _sm2_algorithm() -> bytes:
    return _der.encode_sequence(_der.encode_oid(OID_EC_PUBLIC_KEY), _der.encode_oid(OID_SM2_CURVE))


def _check_sm2_algorithm(algorithm: bytes) -> None:
    oids = [
        _der.decode_oid_content(content)
        for tag, content in _der.decode_children(algorithm)
        if tag == _der.OBJECT_IDENTIFIER
    ]
    if oids != [OID_EC_PUBLIC_KEY, OID_SM2_CURVE]:
        raise InvalidKey(f"not an SM2 key (algorithm {', '.join(oids) or 'unknown'})")


def encode_spki(point: bytes) -> bytes:
    """SubjectPublicKeyInfo for ``04 || x || y``."""
    return _der.encode_sequence(_sm2_algorithm(), _der.encode_bit_string(point))


def public_key_to_pem(point: bytes) -> bytes:
    return pem_encode("PUBLIC KEY", encode_spki(point))


def public_key_from_pem(data: bytes) -> bytes:
    """The ``04 || x || y`` in a PEM SubjectPublicKeyInfo (not yet checked to be on the curve)."""
    _, _, der = pem_decode(data, ("PUBLIC KEY",))
    try:
        algorithm, bits = _der.decode_sequence(der, _der.SEQUENCE, _der.BIT_STRING)
        _check_sm2_algorithm(algorithm)
        return _der.decode_bit_string_content(bits)
    except _der.DERError as exc:
        raise InvalidKey("malformed public key") from exc


# ---------------------------------------------------------------------------------------------
# Private keys


def _encode_ec_private_key(d: int, point: bytes | None) -> bytes:
    fields = [_der.encode_integer(1), _der.encode_octet_string(d.to_bytes(_SCALAR_SIZE, "big"))]
    if point is not None:
        fields.append(_der.encode_tlv(_der.CONTEXT_1, _der.encode_bit_string(point)))
    return _der.encode_sequence(*fields)


def encode_pkcs8(d: int, point: bytes | None) -> bytes:
    """PKCS#8 PrivateKeyInfo, laid out as OpenSSL writes SM2 keys; without ``point`` the reader
    computes the public key itself."""
    return _der.encode_sequence(
        _der.encode_integer(0),
        _sm2_algorithm(),
        _der.encode_octet_string(_encode_ec_private_key(d, point)),
    )


def _decode_ec_private_key(der: bytes) -> tuple[int, bytes | None]:
    """SEC 1 ECPrivateKey: (d, public point if present)."""
    children = _der.decode_children(_der.decode_tlv(der, _der.SEQUENCE))
    if len(children) < 2 or children[0] != (_der.INTEGER, b"\x01"):
        raise _der.DERError("not an ECPrivateKey")
    tag, scalar = children[1]
    if tag != _der.OCTET_STRING or not 1 <= len(scalar) <= _SCALAR_SIZE:
        raise _der.DERError("bad private scalar")
    point = None
    for tag, content in children[2:]:
        if (
            tag == _der.CONTEXT_0
            and _der.decode_oid_content(_der.decode_tlv(content, _der.OBJECT_IDENTIFIER))
            != OID_SM2_CURVE
        ):
            raise InvalidKey("not an SM2 key (another curve)")
        if tag == _der.CONTEXT_1:
            point = _der.decode_bit_string_content(_der.decode_tlv(content, _der.BIT_STRING))
    return int.from_bytes(scalar, "big"), point


def decode_pkcs8(der: bytes) -> tuple[int, bytes | None]:
    """(d, public point if present) from PKCS#8 PrivateKeyInfo."""
    try:
        children = _der.decode_children(_der.decode_tlv(der, _der.SEQUENCE))
        tags = [tag for tag, _ in children[:3]]
        if tags != [_der.INTEGER, _der.SEQUENCE, _der.OCTET_STRING] or children[0][1] not in (
            b"\x00",
            b"\x01",
        ):
            raise _der.DERError("not a PrivateKeyInfo")
        _check_sm2_algorithm(children[1][1])
        return _decode_ec_private_key(children[2][1])
    except _der.DERError as exc:
        raise InvalidKey("malformed private key") from exc


def decode_sec1(der: bytes) -> tuple[int, bytes | None]:
    """(d, public point if present) from an ``EC PRIVATE KEY`` block."""
    try:
        return _decode_ec_private_key(der)
    except _der.DERError as exc:
        raise InvalidKey("malformed private key") from exc


def encrypt_pkcs8(der: bytes, password: bytes, backend: Backend) -> bytes:
    """EncryptedPrivateKeyInfo: PBES2 with PBKDF2-HMAC-SHA256 and SM4-CBC."""
    salt = secrets.token_bytes(16)
    iv = secrets.token_bytes(16)
    key = hashlib.pbkdf2_hmac("sha256", password, salt, PEM_KDF_ITERATIONS, 16)
    kdf = _der.encode_sequence(
        _der.encode_oid(OID_PBKDF2),
        _der.encode_sequence(
            _der.encode_octet_string(salt),
            _der.encode_integer(PEM_KDF_ITERATIONS),
            _der.encode_sequence(_der.encode_oid(OID_HMAC_WITH_SHA256), _der.encode_null()),
        ),
    )
    cipher = _der.encode_sequence(_der.encode_oid(OID_SM4_CBC), _der.encode_octet_string(iv))
    return _der.encode_sequence(
        _der.encode_sequence(_der.encode_oid(OID_PBES2), _der.encode_sequence(kdf, cipher)),
        _der.encode_octet_string(SM4CBC(key, backend=backend).encrypt(iv, der)),
    )


def _oid(child: tuple[int, bytes]) -> str:
    tag, content = child
    if tag != _der.OBJECT_IDENTIFIER:
        raise _der.DERError("expected an object identifier")
    return _der.decode_oid_content(content)


def _pbes2_parameters(algorithm: bytes) -> tuple[bytes, int, str, bytes]:
    """(salt, iterations, PRF hash name, IV) from a PBES2 AlgorithmIdentifier's content."""
    scheme, (_, parameters) = _der.decode_children(algorithm)
    if _oid(scheme) != OID_PBES2:
        raise InvalidKey("only PBES2-encrypted keys are supported")
    (_, kdf), (_, cipher) = _der.decode_children(parameters)
    kdf_name, (_, kdf_parameters) = _der.decode_children(kdf)
    if _oid(kdf_name) != OID_PBKDF2:
        raise InvalidKey("only PBKDF2 is supported as the PBES2 key derivation")
    (salt_tag, salt), (count_tag, count), *options = _der.decode_children(kdf_parameters)
    if (salt_tag, count_tag) != (_der.OCTET_STRING, _der.INTEGER):
        raise _der.DERError("bad PBKDF2 parameters")
    iterations = _der.decode_integer_content(count)
    prf = "sha1"
    for tag, content in options:
        if tag == _der.INTEGER and _der.decode_integer_content(content) != 16:
            raise InvalidKey("the PBKDF2 key length does not fit SM4")
        if tag == _der.SEQUENCE:
            prf_oid = _oid(_der.decode_children(content)[0])
            if prf_oid not in _PRF_HASHES:
                raise InvalidKey(f"unsupported PBKDF2 PRF {prf_oid}")
            prf = _PRF_HASHES[prf_oid]
    cipher_name, (iv_tag, iv) = _der.decode_children(cipher)
    if _oid(cipher_name) != OID_SM4_CBC or iv_tag != _der.OCTET_STRING or len(iv) != 16:
        raise InvalidKey(
            f"unsupported key encryption {_oid(cipher_name)}: the python backend reads SM4-CBC"
        )
    if not 1 <= iterations <= _MAX_KDF_ITERATIONS:
        raise InvalidKey("unreasonable PBKDF2 iteration count")
    return salt, iterations, prf, iv


def decrypt_pkcs8(der: bytes, password: bytes, backend: Backend) -> bytes:
    """The PrivateKeyInfo inside an EncryptedPrivateKeyInfo."""
    try:
        algorithm, encrypted = _der.decode_sequence(der, _der.SEQUENCE, _der.OCTET_STRING)
        salt, iterations, prf, iv = _pbes2_parameters(algorithm)
    except (_der.DERError, ValueError, IndexError) as exc:
        raise InvalidKey("malformed encrypted private key") from exc
    key = hashlib.pbkdf2_hmac(prf, password, salt, iterations, 16)
    try:
        return SM4CBC(key, backend=backend).decrypt(iv, encrypted)
    except DecryptionFailed as exc:
        raise InvalidKey("cannot decrypt the private key: wrong password or damaged file") from exc


def private_key_to_pem(d: int, point: bytes, password: bytes | None, backend: Backend) -> bytes:
    der = encode_pkcs8(d, point)
    if password is None:
        return pem_encode("PRIVATE KEY", der)
    return pem_encode("ENCRYPTED PRIVATE KEY", encrypt_pkcs8(der, password, backend))
