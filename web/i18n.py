"""Locale choice and the automatic compilation of the Babel catalogs."""
from __future__ import annotations

from pathlib import Path

from flask import session

LANGS = ("vi", "en")
PACKAGE_TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def _compile(po: Path, mo: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with po.open("rb") as f:
        catalog = read_po(f)
    mo.parent.mkdir(parents=True, exist_ok=True)
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as f:
        write_mo(f, catalog)
    tmp.replace(mo)


def compile_catalogs(settings=None, source: Path = PACKAGE_TRANSLATIONS) -> str:
    """Compile each messages.po whose .mo is missing or stale; return the directory to use."""
    pos = sorted(source.glob("*/LC_MESSAGES/messages.po"))
    try:
        for po in pos:
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                _compile(po, mo)
        return str(source)
    except OSError:  # read-only install: compile into var/
        if settings is None:
            from config import get_settings
            settings = get_settings()
        target = settings.ensure_var_dir().resolve() / "translations"
        for po in pos:
            mo = target / po.relative_to(source).with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                _compile(po, mo)
        return str(target)


def current_lang() -> str:
    try:
        lang = session.get("lang")
    except RuntimeError:
        return "vi"
    if lang in LANGS:
        return lang
    return "vi"


def select_locale() -> str:
    return current_lang()

