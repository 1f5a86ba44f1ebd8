"""A software passkey for tests: real WebAuthn answers (CBOR attestation, ECDSA P-256
signatures over authenticator data and the client data hash), made with python-fido2's
encoders and `cryptography`, as a phone or security key would make them."""

from __future__ import annotations

import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from fido2.cose import ES256
from fido2.utils import sha256, websafe_decode, websafe_encode

UP, UV, AT = 0x01, 0x04, 0x40  # flags: user present, user verified, attested credential data


class SoftPasskey:
    def __init__(self, *, rp_id: str = "localhost", origin: str = "http://localhost"):
        self.rp_id = rp_id
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.user_handle: bytes | None = None

    @property
    def id(self) -> str:
        return websafe_encode(self.credential_id)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def _auth_data(self, flags: int, count: int, attested: bytes = b"", rp_id: str | None = None) -> bytes:
        return sha256((rp_id or self.rp_id).encode()) + bytes([flags]) + count.to_bytes(4, "big") + attested

    def create(self, options: dict, *, origin: str | None = None) -> dict:
        """The answer to navigator.credentials.create (`options` as the server sent them)."""
        public_key = options["publicKey"]
        self.user_handle = websafe_decode(public_key["user"]["id"])
        cose = ES256.from_cryptography_key(self.key.public_key())
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + cbor.encode(cose)
        auth_data = self._auth_data(UP | UV | AT, self.sign_count, attested)
        attestation = cbor.encode({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", public_key["challenge"], origin)
        return {"id": self.id, "rawId": self.id, "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": websafe_encode(client_data),
                             "attestationObject": websafe_encode(attestation)}}

    def get(self, options: dict, *, sign_count: int | None = None, origin: str | None = None,
            rp_id: str | None = None, user_handle: bytes | None = None) -> dict:
        """The answer to navigator.credentials.get; the counter goes up unless `sign_count` is given."""
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        auth_data = self._auth_data(UP | UV, self.sign_count, rp_id=rp_id)
        client_data = self._client_data("webauthn.get", options["publicKey"]["challenge"], origin)
        signature = self.key.sign(auth_data + sha256(client_data), ec.ECDSA(hashes.SHA256()))
        handle = user_handle if user_handle is not None else self.user_handle
        return {"id": self.id, "rawId": self.id, "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": websafe_encode(client_data),
                             "authenticatorData": websafe_encode(auth_data),
                             "signature": websafe_encode(signature),
                             "userHandle": websafe_encode(handle) if handle else None}}
