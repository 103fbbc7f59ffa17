"""The local agency's logo: a JPEG at ``branding/logo.jpg`` in the documents bucket, which statements (and
any document that uses ``arportal.adapters.pdf.branding.agency_logo``) draw in their header.

From the seed: ``install_logo(env.client("s3"), env.resources.documents_bucket)``; pass ``data`` for another
JPEG (e.g. ``Path("logo.jpg").read_bytes()``). A deployed agency uploads its own file to the same key.
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.pdf.branding import LOGO_KEY, forget_logo
from arportal.adapters.pdf.writer import JpegInfo

# A placeholder mark (an 8x8 blue square, scaled up in the header), baseline JPEG, made once with Pillow.
PLACEHOLDER_LOGO = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123251d283a33"
    "3d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffdb0043011112121815182f1a1a2f63"
    "4238426363636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363"
    "ffc00011080008000803012200021101031101ffc4001f0000010501010101010100000000000000000102030405060708090a0b"
    "ffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1"
    "f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a7374"
    "75767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3"
    "d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffc4001f010003010101010101010101000000000000010203"
    "0405060708090a0bffc400b51100020102040403040705040400010277000102031104052131061241510761711322328108144291"
    "a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a6364"
    "65666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3"
    "c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c03010002110311003f00c4a28a2b"
    "d7380fffd9"
)


def install_logo(s3: Any, bucket: str, data: bytes = PLACEHOLDER_LOGO) -> None:
    """Upload ``data`` (a JPEG) as the agency's logo; documents made after this draw it."""
    JpegInfo(data)  # refuse anything the PDF writer could not draw
    s3.put_object(Bucket=bucket, Key=LOGO_KEY, Body=data, ContentType="image/jpeg")
    forget_logo()


def remove_logo(s3: Any, bucket: str) -> None:
    s3.delete_object(Bucket=bucket, Key=LOGO_KEY)
    forget_logo()
