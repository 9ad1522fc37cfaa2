"""The files of issued and registered documents: outside the web root (settings
`PETITIONS_FILES_DIR`, default var/files), named by their SHA-256 so a file is written once,
never overwritten, and any alteration is detected on read (the hash is in the document row
and in its event chain)."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def files_dir() -> Path:
    from config import get_settings
    return get_settings().documents_dir()


def _path(root: Path, sha: str) -> Path:
    return root / sha[:2] / f"{sha}.bin"


def put(data: bytes, root: Path | None = None) -> str:
    """Store `data`, return its SHA-256. Written to a temporary file and renamed, so a reader
    never sees half a file; an existing file with the same hash is left as it is."""
    sha = hashlib.sha256(data).hexdigest()
    root = root or files_dir()
    path = _path(root, sha)
    if path.exists():
        return sha
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha


def get(sha: str, root: Path | None = None) -> bytes | None:
    """The bytes stored under `sha`, or None when missing or altered (hash differs)."""
    if not sha or len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
        return None
    path = _path(root or files_dir(), sha)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha else None


def get_derived(sha: str, ext: str, root: Path | None = None) -> bytes | None:
    """A file made from the stored one (the PDF of an issued DOCX), kept beside it so the
    conversion runs once per document; None when not made yet."""
    if get(sha, root) is None:
        return None
    try:
        return (_path(root or files_dir(), sha).with_suffix(f".{ext}")).read_bytes()
    except OSError:
        return None


def put_derived(sha: str, ext: str, data: bytes, root: Path | None = None) -> None:
    path = _path(root or files_dir(), sha).with_suffix(f".{ext}")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
