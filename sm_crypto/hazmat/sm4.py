"""Raw SM4 (GB/T 32907-2016): single blocks and ECB.

.. warning::
   Hazardous material. ECB leaks which blocks are equal and nothing here authenticates; this is
   for test vectors and for building other modes. Applications use ``sm_crypto.SM4GCM`` or
   ``sm_crypto.seal``.
"""

from __future__ import annotations

from sm_crypto._sm4 import BLOCK_SIZE, check_key
from sm_crypto.backends import Backend, resolve
from sm_crypto.exceptions import InvalidParameter


class ECB:
    """SM4 applied to each 16-byte block on its own, no padding."""

    __slots__ = ("_impl",)

    def __init__(self, key: bytes, *, backend: Backend | None = None) -> None:
        self._impl = resolve(backend).sm4_ecb(check_key(key))

    @staticmethod
    def _check(data: bytes) -> None:
        if len(data) % BLOCK_SIZE:
            raise InvalidParameter(f"ECB data must be whole {BLOCK_SIZE}-byte blocks")

    def encrypt(self, data: bytes) -> bytes:
        self._check(data)
        return self._impl.encrypt(data)

    def decrypt(self, data: bytes) -> bytes:
        self._check(data)
        return self._impl.decrypt(data)
