"""DOCX → PDF with LibreOffice headless, for printing and for the PDF download.

Each conversion runs in its own temporary directory with its own LibreOffice user profile
(`-env:UserInstallation`): two conversions at once (two clerks, two workers, parallel
tests) would otherwise fight over one profile's lock and one of them would fail.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from engine.language.errors import DomainError

SOFFICE_NAMES = ("soffice", "libreoffice")


class PdfUnavailable(DomainError):
    """LibreOffice is not installed, or it did not produce a PDF."""


def soffice_path() -> str | None:
    explicit = os.environ.get("PETITIONS_SOFFICE")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def docx_to_pdf(docx: bytes, timeout: float = 60) -> bytes:
    """The PDF of a DOCX. Raises PdfUnavailable (vi/en message) when LibreOffice is missing,
    times out or produces nothing."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable("doc_libreoffice_missing")
    with tempfile.TemporaryDirectory(prefix="petitions-pdf-") as tmp:
        work = Path(tmp)
        src = work / "document.docx"
        src.write_bytes(docx)
        cmd = [soffice, "--headless", "--norestore", "--nolockcheck",
               f"-env:UserInstallation={(work / 'profile').as_uri()}",
               "--convert-to", "pdf", "--outdir", str(work / "out"), str(src)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False,
                                  env={**os.environ, "HOME": str(work)})
        except subprocess.TimeoutExpired:
            raise PdfUnavailable("doc_pdf_failed", error=f"timeout after {timeout:g} s") from None
        except OSError as exc:
            raise PdfUnavailable("doc_pdf_failed", error=str(exc)) from None
        out = work / "out" / "document.pdf"
        if not out.exists() or out.stat().st_size == 0:
            detail = (done.stderr or done.stdout or b"").decode("utf-8", "replace").strip()[-300:]
            raise PdfUnavailable("doc_pdf_failed", error=detail or f"exit {done.returncode}")
        return out.read_bytes()
