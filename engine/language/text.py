"""Text helpers for Vietnamese: accent folding for search."""
from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """'Nguyễn Văn Đức' -> 'nguyen van duc'. đ has no decomposition, so it is mapped by hand."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
