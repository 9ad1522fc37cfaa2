"""Numbers as a person reads them: Vietnamese office convention in Vietnamese (thousands
dot, decimal comma, "77,4 %"), English convention in English ("1,234.5", "77.4%").
Rounded for display only; the figures themselves are never changed."""
from __future__ import annotations


def format_number(x: float | int | None, lang: str = "vi", decimals: int = 1, blank: str = "") -> str:
    """1234.5 -> "1.234,5" (vi) / "1,234.5" (en); whole numbers carry no decimals."""
    if x is None:
        return blank
    value = round(float(x), decimals)
    digits = 0 if value.is_integer() else decimals
    text = f"{value:,.{digits}f}"  # English grouping first, then swapped for Vietnamese
    if lang != "en":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_percent(rate: float | None, lang: str = "vi", decimals: int = 1, blank: str = "") -> str:
    """A rate in [0, 1]: 0.774 -> "77,4 %" (vi) / "77.4%" (en)."""
    if rate is None:
        return blank
    text = f"{rate * 100:.{decimals}f}"
    if lang == "en":
        return f"{text}%"
    return text.replace(".", ",") + " %"


def format_percent_range(lo: float | None, hi: float | None, lang: str = "vi", decimals: int = 1,
                         blank: str = "") -> str:
    """A Wilson interval: "70,1–83,2 %" (vi) / "70.1–83.2%" (en)."""
    if lo is None or hi is None:
        return blank
    a = format_percent(lo, lang, decimals).rstrip(" %")
    return f"{a}–{format_percent(hi, lang, decimals)}"
