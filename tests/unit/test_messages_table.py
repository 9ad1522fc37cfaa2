"""The engine's message table (engine/language/messages.py) stays sound as every feature adds
to it: no code defined twice (the later one silently replaced the first: a malformed schedule
period lost its value that way), a Vietnamese and an English text for each, and the same
placeholders in both, so a message renders in either language with the same parameters."""
from __future__ import annotations

import ast
import collections
import string
from pathlib import Path

import engine.documents.texts  # noqa: F401  (adds the register's messages to the table)
from engine.language.messages import MESSAGES

SOURCE = Path(__file__).resolve().parents[2] / "engine/language/messages.py"


def test_no_code_is_defined_twice():
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    table = next(node.value for node in ast.walk(tree) if isinstance(node, ast.AnnAssign)
                 and getattr(node.target, "id", "") == "MESSAGES")
    keys = [k.value for k in table.keys]
    twice = [k for k, n in collections.Counter(keys).items() if n > 1]
    assert not twice, twice


def _fields(text: str) -> set[str]:
    """The placeholders, with a language suffix dropped: a text given in both languages is
    passed as `where_vi` / `where_en` (or `what` / `what_en`), one per table side."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return {n.removesuffix("_vi").removesuffix("_en") for n in names}


def test_each_message_has_both_languages_with_the_same_placeholders():
    for code, pair in MESSAGES.items():
        assert isinstance(pair, tuple) and len(pair) == 2 and all(p.strip() for p in pair), code
        vi, en = pair
        assert _fields(vi) == _fields(en), (code, _fields(vi) ^ _fields(en))
