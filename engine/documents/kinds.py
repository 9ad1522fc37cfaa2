"""What documents exist: their genre (the register's series), the kinds the product drafts,
the two formats, and how a number is written.

Pure data: no database, no templates. The register and Phụ lục 1 count by `doc_type`;
templates are chosen by `kind` × `fmt`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocType:
    code: str
    vi: str
    en: str
    abbr: str | None  # the series abbreviation in the number (TB, KH, ...); None: not in the series


# The genre of a document as the register (sổ đăng ký văn bản đi) and Phụ lục 1 count it.
# Abbreviations: NĐ 30/2020/NĐ-CP Phụ lục III (state) and Hướng dẫn 36-HD/VPTW (party).
DOC_TYPES: dict[str, DocType] = {t.code: t for t in (
    DocType("plan", "Kế hoạch", "Plan", "KH"),
    DocType("notice", "Thông báo", "Notice", "TB"),
    DocType("decision", "Quyết định", "Decision", "QĐ"),
    DocType("invitation", "Giấy mời", "Invitation", "GM"),
    DocType("report", "Báo cáo", "Report", "BC"),
    # Công văn: party writes "12-CV/ĐU"; a state công văn carries no type abbreviation
    # ("Số: 12/UBND", NĐ 30 Phụ lục III), handled in number_text.
    DocType("letter", "Công văn", "Official letter", "CV"),
    # The receipt slip is numbered by the petition's code, not in the outgoing series.
    DocType("receipt", "Giấy biên nhận", "Receipt slip", None),
    DocType("other", "Văn bản khác", "Other document", None),
)}

# Types that get a number from the outgoing register's series (gapless per unit, year, type).
NUMBERED_TYPES: tuple[str, ...] = tuple(c for c, t in DOC_TYPES.items() if c not in ("receipt",))


@dataclass(frozen=True)
class Kind:
    code: str
    vi: str
    en: str
    doc_type: str


# The kinds of document the product drafts from its own data (one template per kind × format).
KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("schedule_notice", "Thông báo lịch tiếp công dân", "Reception schedule notice", "notice"),
    Kind("result_notice", "Thông báo kết quả tiếp công dân", "Reception result notice", "notice"),
    Kind("conclusion_notice", "Thông báo kết luận", "Conclusion notice", "notice"),
    Kind("dialogue_plan", "Kế hoạch đối thoại", "Dialogue plan", "plan"),
    Kind("invitation", "Giấy mời", "Invitation", "invitation"),
    Kind("opinions_summary", "Báo cáo tổng hợp ý kiến, kiến nghị trước đối thoại",
         "Summary of opinions collected before a dialogue", "report"),
    Kind("written_answer", "Văn bản trả lời", "Written answer", "letter"),
    Kind("escalation_report", "Báo cáo gửi cấp trên", "Report to the level above", "report"),
    Kind("receipt_slip", "Giấy biên nhận đơn", "Receipt slip", "receipt"),
)}

# party: Hướng dẫn 36-HD/VPTW (03/4/2018); state: Nghị định 30/2020/NĐ-CP (in force 05/3/2020).
FORMATS: tuple[str, ...] = ("party", "state")
FORMAT_LABELS: dict[str, tuple[str, str]] = {
    "party": ("Văn bản của Đảng (Hướng dẫn 36-HD/VPTW)", "Party document (Guidance 36-HD/VPTW)"),
    "state": ("Văn bản hành chính (Nghị định 30/2020/NĐ-CP)", "State document (Decree 30/2020/ND-CP)"),
}


def _padded(number: int) -> str:
    # The seeds write numbers below 10 with a leading zero (06-TB/ĐU, 08-...).
    return f"{number:02d}"


def number_text(fmt: str, doc_type: str, number: int, issuer_abbr: str) -> str:
    """The document's number as printed: party `06-TB/ĐU` (hyphen, no colon; HD 36), state
    `12/TB-UBND` (slash; printed after "Số: "; NĐ 30 Phụ lục III). A state công văn has no
    type abbreviation: `12/UBND`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    t = DOC_TYPES.get(doc_type)
    if t is None:
        raise ValueError(f"unknown document type {doc_type!r}")
    if not isinstance(number, int) or number < 1:
        raise ValueError(f"a document number is a positive integer, got {number!r}")
    abbr = t.abbr
    if fmt == "party":
        return f"{_padded(number)}-{abbr}/{issuer_abbr}" if abbr else f"{_padded(number)}/{issuer_abbr}"
    if doc_type == "letter" or not abbr:
        return f"{_padded(number)}/{issuer_abbr}"
    return f"{_padded(number)}/{abbr}-{issuer_abbr}"


def doc_type_label(code: str, lang: str = "vi") -> str:
    t = DOC_TYPES.get(code)
    if t is None:
        return code
    return t.vi if lang == "vi" else t.en


def kind_label(code: str, lang: str = "vi") -> str:
    k = KINDS.get(code)
    if k is None:
        return code
    return k.vi if lang == "vi" else k.en
