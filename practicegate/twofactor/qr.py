"""The set-up QR code, drawn here (segno) so the secret never goes to an outside service."""

from __future__ import annotations

from base64 import b32encode

import segno


def secret_base32(device) -> str:
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device) -> str:
    """An SVG data: URI (the CSP allows data: images, not inline styles or scripts)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
