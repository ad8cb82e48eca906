"""Sign-in: departments prove possession of their registered SM2 key and get SM2-signed JWTs.

Modules: ``challenges`` (the signed message, the store port), ``signin`` (the flow), ``tokens``
(issuing and verifying JWTs), ``jwt_sm2`` (the "SM2" JWS algorithm), ``directory`` (the department
directory port), ``errors`` (one refusal class per code), ``tables``/``sqlstore`` (the database).
"""
