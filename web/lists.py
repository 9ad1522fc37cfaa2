"""The admin-edited lists as pages use them (issue 18): a category's label in the reader's
language from the database (retired entries keep their label on old records), and the
categories a form offers for a new entry (active ones only). Read once per request."""
from __future__ import annotations

from flask import g

from engine.services import lists as lsvc
from web import labels
from web.dbsession import db
from web.i18n import current_lang


def _maps() -> dict[str, tuple[str, str]]:
    if "category_labels" not in g:
        g.category_labels = lsvc.label_maps(db(), "category")
    return g.category_labels


def category_label(code) -> str:
    found = _maps().get(code)
    if found is not None:
        vi, en = found
        return (en or vi) if current_lang() == "en" else vi
    return labels.CATEGORIES.get(code, code)


def categories_for_new() -> tuple[str, ...]:
    return lsvc.active_categories(db())


def known_categories() -> tuple[str, ...]:
    return lsvc.known_categories(db())
