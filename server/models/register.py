"""The keys that sign registration credentials. In the database, not on a host's disk, so
every app host signs with the same current key and publishes the same JWK Set."""

from tortoise import fields
from tortoise.models import Model


class SigningKey(Model):
    # RFC 7638 thumbprint of the public key: the JWS header's `kid`.
    kid = fields.CharField(max_length=64, primary_key=True)
    alg = fields.CharField(max_length=10)
    # The public JWK in clear (published at /.well-known/jwks.json); the private key as
    # PKCS#8 DER sealed with AES-GCM under a key derived from SECRET_KEY (nonce ‖ ciphertext,
    # base64), so a database dump alone cannot forge credentials.
    public_jwk = fields.JSONField()
    private_sealed = fields.TextField()
    created_at = fields.DatetimeField()
    retired_at = fields.DatetimeField(null=True)
    # The latest `exp` of any credential this key signed: a retired key stays published
    # until then.
    signed_until = fields.DatetimeField(null=True)

    class Meta:
        table = "signing_key"
