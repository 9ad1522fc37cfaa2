"""Drafting a document: a template (the unit's own, or the shipped one) filled with a
context (`engine.documents.contexts.build_context`) by docxtpl.

A unit's template that fails to render never blocks work: the shipped template is used and
the caller gets a warning to show the admin. Templates render in Jinja's sandbox with
autoescape on: an uploaded template cannot reach Python objects, and a value such as
"A & B <C>" stays text in the XML.
"""
from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

from docxtpl import DocxTemplate, InlineImage
from docx.shared import Mm
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from engine.documents.shipped import shipped_template
from engine.language.messages import render as message

log = logging.getLogger("petitions.documents")

QR_WIDTH_MM = 30


@dataclass(frozen=True)
class Rendered:
    docx: bytes
    template: str            # "unit" | "shipped"
    warning: str | None = None       # Vietnamese, for the admin: the unit template failed
    warning_en: str | None = None


class RenderFailed(Exception):
    """A template could not be filled (broken DOCX, a Jinja error)."""


def render_docx(kind: str, fmt: str, context: dict, override: bytes | None = None) -> Rendered:
    """The DOCX of `kind` in `fmt` filled with `context`. `override` is the unit's own
    template; if it fails, the shipped one is used and `warning` says why."""
    if override is not None:
        try:
            return Rendered(fill(override, context), "unit")
        except RenderFailed as exc:
            log.warning("unit template of %s/%s failed, shipped one used: %s", kind, fmt, exc)
            return Rendered(fill(shipped_template(kind, fmt), context), "shipped",
                            warning=message("doc_template_fallback", "vi", kind=kind, fmt=fmt, error=exc),
                            warning_en=message("doc_template_fallback", "en", kind=kind, fmt=fmt, error=exc))
    return Rendered(fill(shipped_template(kind, fmt), context), "shipped")


def fill(template: bytes, context: dict) -> bytes:
    """Render one template; any failure is a RenderFailed with a readable reason."""
    try:
        tpl = DocxTemplate(io.BytesIO(template))
        ctx = dict(context)
        png = ctx.pop("qr_png", None)
        # The QR image needs the template it goes into, so it is made here from the bytes.
        ctx["qr_code"] = InlineImage(tpl, io.BytesIO(png), width=Mm(QR_WIDTH_MM)) if png else ""
        tpl.render(ctx, jinja_env=SandboxedEnvironment(), autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()
    except TemplateError as exc:
        line = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise RenderFailed(f"{type(exc).__name__}: {exc}{line}") from exc
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise RenderFailed(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # lxml and docx raise their own kinds on a damaged file
        if type(exc).__module__.startswith(("lxml", "docx", "docxtpl")):
            raise RenderFailed(f"{type(exc).__name__}: {exc}") from exc
        raise
