"""Files sent with an online submission: checked by their content, kept outside the web root.

The type is read from the file's first bytes (`filetype`, a maintained table of magic
numbers), never from its name or the type the browser claims: a script renamed "don.pdf"
is refused. Files are stored under <var_dir>/attachments/ by their SHA-256, never under the
sender's name (no path tricks, no overwriting), and only staff in scope download them
(`web/blueprints/citizens.py`)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import filetype

from engine.language.errors import ValidationError

# What a citizen sends: scans and photos of papers, and documents. Operational caps, not
# legal numbers: a phone photo is 2-4 MB; five files of 5 MB cover any real petition.
ALLOWED = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/heic": "HEIC",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
}
MAX_FILES = 5
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024


@dataclass
class CheckedFile:
    filename: str
    mime: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def safe_name(name: str | None) -> str:
    """The sender's file name as shown to staff: its last path part, printable, at most 120."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    return base[:120] or "tep-dinh-kem"


def check(files: list[tuple[str, bytes]]) -> list[CheckedFile]:
    """Each (name, bytes) as a CheckedFile; the first refusal raises (field "attachments")."""
    files = [(n, d) for n, d in files if n or d]
    if len(files) > MAX_FILES:
        raise ValidationError("attach_too_many", field="attachments", max=MAX_FILES)
    out, total = [], 0
    for name, data in files:
        name = safe_name(name)
        if not data:
            raise ValidationError("attach_empty", field="attachments", name=name)
        if len(data) > MAX_FILE_BYTES:
            raise ValidationError("attach_too_big", field="attachments", name=name, max=MAX_FILE_BYTES // (1024 * 1024))
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise ValidationError("attach_total_too_big", field="attachments", max=MAX_TOTAL_BYTES // (1024 * 1024))
        kind = filetype.guess(data)
        if kind is None or kind.mime not in ALLOWED:
            raise ValidationError("attach_bad_type", field="attachments", name=name,
                                  allowed=", ".join(sorted(set(ALLOWED.values()))))
        out.append(CheckedFile(name, kind.mime, data))
    return out


def storage_dir(var_dir: Path) -> Path:
    return Path(var_dir).resolve() / "attachments"


def path_of(root: Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256")
    return root / sha256[:2] / sha256


def store(root: Path, f: CheckedFile) -> str:
    """Write the file under its hash (once; the same content is the same file) and return the hash."""
    digest = f.sha256
    target = path_of(root, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(f.data)
        os.chmod(tmp, 0o600)
        tmp.replace(target)
    return digest
