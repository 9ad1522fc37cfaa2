"""Who chaired a session, as a role of the `chair_role` list (session_labels).

Registers name the chair by title — "Bí thư Đảng ủy", "Chủ tịch UBND xã", "Bí thư Thành ủy",
"Đ/c Nguyễn Văn A – Bí thư Đảng ủy, Chủ tịch HĐND xã" — and Phụ lục 2 counts by role (the
head of the party committee by default), so the importer reads the role:

1. from the ``chair_role`` column when the file has one and the cell is filled: a code, a
   label (Vietnamese or English) of the list, or a title as below;
2. otherwise from the title written in ``chair``.

A title is matched by fixed rules, never by similarity: "Phó Bí thư" is not the secretary,
"Bí thư Đoàn" (the Youth Union) is not the party committee, "Chủ tịch Mặt trận" is not the
People's Committee. A chair whose text names a title that fits no role — or names a person
and no title at all — is refused with its line; the register's keeper writes the role in
the ``chair_role`` column (``khác``/``other`` is a role). An empty chair stays without a
role, as before.

One person often holds two posts ("Bí thư Đảng ủy, Chủ tịch HĐND xã"): the role is then the
first of ROLE_PRECEDENCE that the titles name — the party head first, because Regulation 11
is about the head of the party committee and the annex counts those sessions.
"""
from __future__ import annotations

import re

from engine.language.errors import ValidationError
from engine.language.text import fold

ROLE_PRECEDENCE = ("party_secretary", "hdnd_chair", "ubnd_chair", "standing_team")

# What may follow "bí thư" for it to be the head of a party committee (folded).
_PARTY_BODIES = ("dang uy", "dang bo", "thanh uy", "huyen uy", "tinh uy", "quan uy", "thi uy", "cap uy", "chi bo",
                 "xa", "phuong", "thi tran", "dac khu",
                 "du", "tu", "hu")  # the abbreviations ĐU, TU, HU

_UBND = ("ubnd", "uy ban nhan dan", "ub nhan dan", "ub")
_HDND = ("hdnd", "hoi dong nhan dan")
_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("party_secretary", re.compile(r"^(?:dong chi |d/c |dc )?bi thu(?: (?:%s)\b.*)?$" % "|".join(_PARTY_BODIES))),
    ("party_secretary", re.compile(r"^(?:the )?(?:party (?:committee )?secretary|secretary of the party committee)\b")),
    ("ubnd_chair", re.compile(r"^(?:dong chi |d/c |dc )?chu tich (?:%s)\b" % "|".join(_UBND))),
    ("ubnd_chair", re.compile(r"^(?:the )?(?:people'?s committee chair\w*|chair\w* of the people'?s committee)\b")),
    ("hdnd_chair", re.compile(r"^(?:dong chi |d/c |dc )?chu tich (?:%s)\b" % "|".join(_HDND))),
    ("hdnd_chair", re.compile(r"^(?:the )?(?:people'?s council chair\w*|chair\w* of the people'?s council)\b")),
    ("standing_team", re.compile(r"^(?:to|ban) tiep (?:cong )?dan\b")),
    ("standing_team", re.compile(r"^(?:the )?standing (?:citizen )?reception team\b")),
)
# Words that make a piece of the chair's text a title (so it must fit a role), not a name.
_TITLE_WORDS = re.compile(r"\b(?:bi thu|chu tich|pho|truong|to|ban|giam doc|uy vien|can bo|cong chuc|thuong truc|"
                          r"secretary|chair\w*|deputy|head|director|team|officer)\b")
_SPLIT = re.compile(r"\s*(?:[,;/()+&–—]|\s-\s|\bkiem\b|\bva\b|\band\b)\s*")


class ChairRoles:
    """The active roles of the `chair_role` list, and the rules above."""

    def __init__(self, labels):
        self.codes = [lab.code for lab in labels]
        self.by_name: dict[str, str] = {}
        for lab in labels:
            for name in (lab.code, lab.code.replace("_", " "), lab.label_vi, lab.label_en):
                self.by_name.setdefault(fold(name).strip(), lab.code)

    @classmethod
    def load(cls, session) -> ChairRoles:
        from engine.services.sessions import labels
        return cls(labels(session, "chair_role"))

    def _from_title(self, text: str) -> tuple[str | None, bool]:
        """(role, named a title): the role the titles in `text` name, by precedence."""
        found, titled = set(), False
        for piece in _SPLIT.split(fold(text).strip()):
            piece = re.sub(r"\s+", " ", piece.replace(".", " ")).strip()
            if not piece:
                continue
            if piece in self.by_name:
                found.add(self.by_name[piece])
                titled = True
                continue
            role = next((r for r, rx in _RULES if rx.search(piece)), None)
            if role is not None:
                found.add(role)
                titled = True
            elif _TITLE_WORDS.search(piece):
                titled = True
        for role in ROLE_PRECEDENCE:
            if role in found and role in self.codes:
                return role, titled
        known = sorted(r for r in found if r in self.codes)
        return (known[0] if known else None), titled

    def role_of(self, chair: str, column: str) -> str | None:
        """The role for a session row; raises a ValidationError naming the field."""
        column, chair = (column or "").strip(), (chair or "").strip()
        if column:
            key = fold(column).strip()
            role = self.by_name.get(key) or self._from_title(column)[0]
            if role is None:
                raise ValidationError("bad_choice", field="chair_role", value=column, choices=", ".join(self.codes))
            return role
        if not chair:
            return None
        role, _ = self._from_title(chair)
        if role is None:
            raise ValidationError("import_unknown_chair_title", field="chair", value=chair,
                                  choices=", ".join(self.codes))
        return role
