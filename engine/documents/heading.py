"""The heading of a unit's official documents: who issues, under whom, where, who signs,
and in which format (party: Hướng dẫn 36-HD/VPTW; state: Nghị định 30/2020/NĐ-CP).

The data lives on `org_units` (columns `doc_*`, migration 0011). Every column may be empty:
a sensible value is derived from the unit's name and level, so a new unit drafts a document
the office only has to check, never a blank heading.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

FORMATS = ("party", "state")
SIGNING_FORMS = ("tm", "kt", "tl", "none")

# How each format writes the signing authority. Party: Hướng dẫn 36-HD/VPTW ("T/M", "K/T",
# "T/L", as the seeds write "T/M BAN THƯỜNG VỤ"); state: NĐ 30/2020/NĐ-CP Phụ lục I
# ("TM.", "KT.", "TL.").
_FORM_TEXT = {"party": {"tm": "T/M", "kt": "K/T", "tl": "T/L"},
              "state": {"tm": "TM.", "kt": "KT.", "tl": "TL."}}

# The words a unit's name starts with, dropped to get the place name ("Xã Kỳ Thượng" → "Kỳ Thượng").
_LEVEL_WORDS = ("thành phố", "đặc khu", "phường", "tỉnh", "xã", "huyện", "quận", "thị xã", "thị trấn")
# The party committee of a level, and its series abbreviation (the seeds: "06-TB/ĐU").
_PARTY_BODY = {"province": ("TỈNH ỦY", "TU"), "district": ("HUYỆN ỦY", "HU"),
               "commune": ("ĐẢNG ỦY", "ĐU"), "ward": ("ĐẢNG ỦY", "ĐU"), "special_zone": ("ĐẢNG ỦY", "ĐU")}


@dataclass(frozen=True)
class Heading:
    fmt: str                 # party | state
    issuing_body: str        # "ĐẢNG ỦY XÃ KỲ THƯỢNG" / "ỦY BAN NHÂN DÂN XÃ KỲ THƯỢNG"
    parent_body: str         # "ĐẢNG BỘ TỈNH HÀ TĨNH" (party) / the governing body (state; often empty)
    place: str               # "Kỳ Thượng": the place-and-date line
    issuer_abbr: str         # "ĐU" / "UBND": the number's series
    signer_name: str
    signer_title: str        # "BÍ THƯ" / "CHỦ TỊCH" / "PHÓ BÍ THƯ"
    signing_form: str        # tm | kt | tl | none
    signing_for: str         # whom T/M or K/T is for: "BAN THƯỜNG VỤ", "ỦY BAN NHÂN DÂN", "BÍ THƯ"

    @property
    def signing_lines(self) -> list[str]:
        """The signing block above the signature, one line each ("T/M BAN THƯỜNG VỤ", "BÍ THƯ")."""
        prefix = _FORM_TEXT[self.fmt].get(self.signing_form)
        lines = [f"{prefix} {self.signing_for}".strip()] if prefix and self.signing_for else []
        return [*lines, self.signer_title] if self.signer_title else lines

    def date_line(self, day: date | None) -> str:
        """'Kỳ Thượng, ngày 08 tháng 7 năm 2020'; a draft without a date leaves the blanks to fill."""
        if day is None:
            return f"{self.place}, ngày     tháng     năm"
        return f"{self.place}, {vietnamese_date(day)}"

    def as_context(self) -> dict:
        return {**asdict(self), "signing_lines": self.signing_lines}


def vietnamese_date(day: date) -> str:
    """'ngày 08 tháng 7 năm 2020': a day below 10 and the months 1 and 2 take a leading zero
    (NĐ 30/2020/NĐ-CP Phụ lục I, địa danh và thời gian ban hành; the seeds write the same)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_name(name: str) -> str:
    """'Xã Kỳ Thượng' → 'Kỳ Thượng'; 'Phường Kỳ Anh' → 'Kỳ Anh'."""
    low = name.lower()
    for word in sorted(_LEVEL_WORDS, key=len, reverse=True):
        if low.startswith(word + " "):
            return name[len(word) + 1:].strip()
    return name.strip()


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.replace("–", " ").replace(",", " ").split() if w[0].isalpha()).upper()


def heading_for(unit, fmt: str | None = None) -> Heading:
    """The heading of `unit` (an OrgUnit): its `doc_*` columns where set, derived values otherwise.
    A department takes its parent's format and place and writes its own name under the parent's.

    `fmt` asks for the other format than the unit's own (a commune's party committee and its
    people's committee both issue documents): the unit's columns describe its own format, so
    then only the place is taken from them and the rest is derived for `fmt`."""
    parent = unit.parent
    main = parent if unit.level == "department" and parent is not None else unit
    own = _get(unit, "doc_format") or (_get(parent, "doc_format") if unit.level == "department" else None) or "party"
    own = own if own in FORMATS else "party"
    fmt = fmt if fmt in FORMATS else own
    if fmt != own:
        place = _get(unit, "doc_place") or _get(main, "doc_place")
        unit = _Derived(unit, place)
        parent = unit.parent
    place = _get(unit, "doc_place") or _get(main, "doc_place") or place_name(main.name)
    if unit.level == "department":
        issuing = unit.name.upper()
        parent_body = heading_for(parent).issuing_body if parent is not None else ""
        abbr = _initials(unit.name)
        title, form, for_ = "TRƯỞNG PHÒNG", "none", ""
    elif fmt == "party":
        body, abbr = _PARTY_BODY.get(unit.level, ("ĐẢNG ỦY", "ĐU"))
        issuing = f"{body} {place.upper()}" if unit.level == "province" else f"{body} {unit.name.upper()}"
        parent_body = f"ĐẢNG BỘ {parent.name.upper()}" if parent is not None else ""
        title, form, for_ = "BÍ THƯ", "tm", "BAN THƯỜNG VỤ"
    else:
        issuing, abbr = f"ỦY BAN NHÂN DÂN {unit.name.upper()}", "UBND"
        parent_body = ""  # a people's committee has no governing body line (NĐ 30 Phụ lục I)
        title, form, for_ = "CHỦ TỊCH", "tm", "ỦY BAN NHÂN DÂN"
    form = _get(unit, "doc_signing_form") or form
    return Heading(
        fmt=fmt,
        issuing_body=_get(unit, "doc_issuing_body") or issuing,
        parent_body=_get(unit, "doc_parent_body") if _get(unit, "doc_parent_body") is not None else parent_body,
        place=place,
        issuer_abbr=_get(unit, "doc_issuer_abbr") or abbr,
        signer_name=_get(unit, "doc_signer_name") or "",
        signer_title=_get(unit, "doc_signer_title") or title,
        signing_form=form if form in SIGNING_FORMS else "none",
        signing_for=_get(unit, "doc_signing_for") if _get(unit, "doc_signing_for") is not None else for_,
    )


class _Derived:
    """A unit seen without its heading columns (but its place name)."""

    def __init__(self, unit, place: str | None):
        self.name, self.level, self.parent, self.doc_place = unit.name, unit.level, unit.parent, place


def _get(unit, attr: str):
    """A heading column, None when empty (or when the unit has none, e.g. before 0011)."""
    if unit is None:
        return None
    value = getattr(unit, attr, None)
    return value if value not in ("",) else None
