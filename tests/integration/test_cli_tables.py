"""What a person reads on the command line: `petition list` and `petition show` have a
header, labels in the operator's language (states, clocks, verdicts, history entries from
the workflow definition) and dd/mm/yyyy dates; `--json` stays machine-readable; the annex
table wraps on word boundaries (never "chỉ đạ")."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DMY = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
RAW_STATES = ("in_resolution", "received", "resolved", "escalated", "referred", "answered", "closed")


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    env = dict(os.environ, PETITIONS_VAR_DIR=str(tmp_path_factory.mktemp("cli") / "var"), PETITIONS_LANG="vi")
    for key in ("DATABASE_URL", "BROKER_URL", "LOG_LEVEL"):
        env.pop(key, None)
    for args in (["db", "upgrade"], ["demo"]):
        r = subprocess.run([sys.executable, "-m", "engine", *args], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    return env


def run(env, *args, lang="vi"):
    r = subprocess.run([sys.executable, "-m", "engine", *args], env=dict(env, PETITIONS_LANG=lang),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_petition_list_reads_as_a_table_in_each_language(demo_env):
    vi = run(demo_env, "petition", "list", "--unit", "KYTHUONG").splitlines()
    assert vi[0].split()[:2] == ["Mã", "đơn"] and "Trạng thái" in vi[0] and "Hạn" in vi[0]
    assert set(vi[1]) <= {"-", " "}
    body = "\n".join(vi[2:])
    assert "Đang giải quyết" in body and "Trả lời bằng văn bản" in body and DMY.search(body)
    assert not ISO.search(body) and not any(re.search(rf"\b{s}\b", body) for s in RAW_STATES)
    assert re.fullmatch(r"\d+ đơn", vi[-1])
    en = run(demo_env, "petition", "list", "--unit", "KYTHUONG", lang="en").splitlines()
    assert en[0].startswith("Code") and "State" in en[0] and "Due" in en[0]
    assert "Being resolved" in "\n".join(en[2:]) and "Written resolution" in "\n".join(en[2:])
    assert re.fullmatch(r"\d+ petitions", en[-1]) and "đơn" not in en[-1]
    assert not ISO.search("\n".join(en)) and "in_resolution" not in "\n".join(en)


def test_petition_list_json_is_unchanged(demo_env):
    rows = json.loads(run(demo_env, "petition", "list", "--unit", "KYTHUONG", "--json"))
    assert rows and set(rows[0]) == {"code", "unit", "state", "version", "department", "received_on", "due"}
    from engine.workflow.definition import load_workflow, workflow_names
    states = {s for name in workflow_names() for s in load_workflow(name).states}  # every workflow's (issue 17)
    assert {r["state"] for r in rows} <= states and ISO.fullmatch(rows[0]["received_on"])


def test_petition_show_uses_labels_and_dates(demo_env):
    for lang, verdicts, events in (("vi", ("trễ hạn", "đúng hạn"), ("Tiếp nhận", "Ra thông báo kết luận")),
                                   ("en", ("late", "met on time"), ("Received", "Issue the conclusion notice"))):
        out = run(demo_env, "petition", "show", "KN-KYTHUONG-2026-000001", lang=lang)
        assert not ISO.search(out) and DMY.search(out)
        assert any(v in out for v in verdicts) and all(e in out for e in events), out
        for raw in ("(met)", " receive ", " conclude ", " resolve ", "(late)" if lang == "vi" else "(met)"):
            assert raw not in out, (lang, raw, out)
    data = json.loads(run(demo_env, "petition", "show", "KN-KYTHUONG-2026-000001", "--json"))
    assert {c["status"] for c in data["clocks"]} <= {"met", "late", "running"} and data["events"][0]["action"] == "receive"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_annex_table_wraps_on_word_boundaries(demo_env, lang):
    from engine.reports.appendix2 import COLUMN_LABELS, LINES, TITLE
    words = set()
    for line in LINES:
        for pair in (line.group, line.label):
            words.update(pair[1 if lang == "en" else 0].split())
    for pair in list(COLUMN_LABELS.values()) + [TITLE]:
        words.update(pair[1 if lang == "en" else 0].split())
    words.update(["STT", "Nội", "dung", "Chi", "tiết", "Item", "Detail"])
    out = run(demo_env, "report", "appendix2", "--unit", "KYTHUONG", "--from", "2025-01-01", "--to", "2026-06-30",
              "--format", "table", lang=lang).splitlines()
    assert max(len(line) for line in out[3:]) <= 160
    for line in out[3:]:  # after the title and the period
        for tok in line.split():
            if re.fullmatch(r"[\d.,%–-]+", tok):
                continue
            assert tok in words, (tok, line)
