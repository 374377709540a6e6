"""Reading a PDF's QR codes as a phone would: rasterise it with poppler, decode with zbar."""

from __future__ import annotations

import subprocess


def rasterise_png(pdf: bytes, dpi: int = 300) -> bytes:
    return subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile"], input=pdf,
                          capture_output=True, check=True).stdout


def decode_qr(pdf: bytes, dpi: int = 300) -> list[str]:
    """The text of every QR code on the PDF's first page (zbarimg exits 4 when none)."""
    found = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                            "-"], input=rasterise_png(pdf, dpi), capture_output=True)
    assert found.returncode in (0, 4), found.stderr
    return [line for line in found.stdout.decode().splitlines() if line]
