"""The receipt slip's QR code as inline SVG.

`qrcode` (a maintained encoder of the ISO/IEC 18004 standard: mask choice, error
correction) draws the code as one SVG path: a few kilobytes in the page itself, printed
sharp at any size, with no image library on the server and no script in the browser (the
public pages carry none)."""
from __future__ import annotations

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(data: str) -> Markup:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2,
                      error_correction=qrcode.constants.ERROR_CORRECT_M)
    svg = img.to_string(encoding="unicode")
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1]
    return Markup(svg)
