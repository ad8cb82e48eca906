"""Hazardous materials: raw SM2 curve arithmetic and signatures, raw SM4 block and ECB.

.. warning::
   These are the primitives the safe recipes at ``sm_crypto``'s top level are built from. They
   let you choose a signing nonce, skip padding or authentication, and get every detail wrong.
   Application code (``govledger``, ``ledger``, the services) must use the top level; a test
   refuses any import of ``sm_crypto.hazmat`` there.
"""
