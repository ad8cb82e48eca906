"""A small, strict DER encoder and decoder: just what SM2 keys, signatures and ciphertexts need.

Decoding refuses everything DER forbids (indefinite or non-minimal lengths, non-minimal or
negative integers where they make no sense, trailing bytes), so one value has one encoding and
a malleated signature or key never parses. Callers turn :class:`DERError` into their own error.
"""

from __future__ import annotations

INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OBJECT_IDENTIFIER = 0x06
SEQUENCE = 0x30
CONTEXT_0 = 0xA0
CONTEXT_1 = 0xA1


class DERError(ValueError):
    """The bytes are not the DER structure that was expected."""


# ---------------------------------------------------------------------------------------------
# Encoding


def _encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def encode_tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _encode_length(len(content)) + content


def encode_integer(value: int) -> bytes:
    if value < 0:
        raise ValueError("only non-negative integers are encoded here")
    # One extra byte when the top bit is set keeps the value positive.
    return encode_tlv(INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def encode_octet_string(value: bytes) -> bytes:
    return encode_tlv(OCTET_STRING, value)


def encode_bit_string(value: bytes) -> bytes:
    return encode_tlv(BIT_STRING, b"\x00" + value)  # no unused bits


def encode_null() -> bytes:
    return encode_tlv(NULL, b"")


def encode_oid(dotted: str) -> bytes:
    arcs = [int(arc) for arc in dotted.split(".")]
    body = bytearray()
    for value in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        # Base 128, most significant group first, every group but the last with its top bit set.
        top = max(value.bit_length() - 1, 0) // 7 * 7
        groups = [(value >> shift) & 0x7F for shift in range(top, -1, -7)]
        body.extend([0x80 | group for group in groups[:-1]] + [groups[-1]])
    return encode_tlv(OBJECT_IDENTIFIER, bytes(body))


def encode_sequence(*encoded_children: bytes) -> bytes:
    return encode_tlv(SEQUENCE, b"".join(encoded_children))


# ---------------------------------------------------------------------------------------------
# Decoding


def _read_tlv(data: bytes, offset: int) -> tuple[int, bytes, int]:
    """Read one element at ``offset``: (tag, content, offset after it)."""
    if offset + 2 > len(data):
        raise DERError("truncated element")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise DERError("multi-byte tags are not used here")
    first = data[offset + 1]
    offset += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0:
            raise DERError("indefinite length")
        if count > 4 or offset + count > len(data):
            raise DERError("bad length")
        length = int.from_bytes(data[offset : offset + count], "big")
        if length < 0x80 or data[offset] == 0:
            raise DERError("non-minimal length")
        offset += count
    end = offset + length
    if end > len(data):
        raise DERError("truncated element")
    return tag, data[offset:end], end


def decode_tlv(data: bytes, expected_tag: int) -> bytes:
    """The content of the single element that ``data`` must consist of, exactly."""
    tag, content, end = _read_tlv(data, 0)
    if tag != expected_tag:
        raise DERError(f"expected tag 0x{expected_tag:02x}, found 0x{tag:02x}")
    if end != len(data):
        raise DERError("trailing bytes")
    return content


def decode_children(content: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) pairs inside a constructed element's content."""
    children = []
    offset = 0
    while offset < len(content):
        tag, child, offset = _read_tlv(content, offset)
        children.append((tag, child))
    return children


def decode_sequence(data: bytes, *expected_tags: int) -> list[bytes]:
    """A SEQUENCE whose children have exactly ``expected_tags``, in order: their contents."""
    children = decode_children(decode_tlv(data, SEQUENCE))
    if [tag for tag, _ in children] != list(expected_tags):
        raise DERError("unexpected structure")
    return [content for _, content in children]


def decode_integer_content(content: bytes) -> int:
    """A non-negative INTEGER's value from its content octets, refusing non-minimal forms."""
    if not content:
        raise DERError("empty integer")
    if content[0] & 0x80:
        raise DERError("negative integer")
    if len(content) > 1 and content[0] == 0 and not content[1] & 0x80:
        raise DERError("non-minimal integer")
    return int.from_bytes(content, "big")


def decode_bit_string_content(content: bytes) -> bytes:
    if not content or content[0] != 0:
        raise DERError("bit strings with unused bits are not used here")
    return content[1:]


def decode_oid_content(content: bytes) -> str:
    if not content or content[-1] & 0x80:
        raise DERError("bad object identifier")
    arcs: list[int] = []
    value = 0
    starts_arc = True
    for octet in content:
        if starts_arc and octet == 0x80:
            raise DERError("non-minimal object identifier")
        value = (value << 7) | (octet & 0x7F)
        starts_arc = not octet & 0x80
        if starts_arc:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in [first, arcs[0] - 40 * first, *arcs[1:]])
