"""The e-licence domain, plain Python behind one port (see docs/licences.md).

- ``ids``: licence identifiers (ISO/IEC 7064 MOD 37,36), credit codes, resident ID numbers.
- ``model``: licence metadata (input and signed), ``canonical``: the one byte encoding hashed
  and signed, ``encoded``: how bytes and moments appear in it.
- ``disclosure``: salted field digests, document digest and leaf; ``seal``: GB/T 38540-style
  seals and seal signatures; ``document``: the licence document and batch issuance;
  ``presentation``: selective, time-limited presentations and their QR codes.
- ``ports``: :class:`~licence_service.domain.ports.LicenceChainView`, what the verifier asks the
  chain; ``verify``: the four checks.
"""
