"""The placeholders a template of each kind may use, and the check an uploaded template
passes before it is stored (`check_template`).

A placeholder is a dotted path into the context of `engine.documents.contexts`: `summary`,
`heading.issuing_body`, and for lists `items[].due_date` (inside `{%tr for item in items %}`
the template writes `item.due_date`). docs/documents.md lists them in Vietnamese and English
(`markdown()` writes that page; a test keeps it in step).

The check refuses, naming the placeholder and where it is (paragraph, or table/row/cell):
a name not in the list, a function call, a filter outside a small safe set, a Jinja statement
other than for/if, a broken DOCX, and a template that does not render with sample data.
Rendering itself is sandboxed (`engine.documents.render`), so the check is the first of two
locks, not the only one.
"""
from __future__ import annotations

import io
import re
import zipfile

from jinja2 import Environment, TemplateSyntaxError, nodes

from engine.language.errors import ValidationError

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024  # a one-page Word template is ~40 KB; a logo makes it a few hundred

_D = dict[str, tuple[str, str]]

COMMON: _D = {
    "fmt": ("Thể thức: party (Hướng dẫn 36-HD/VPTW) hoặc state (Nghị định 30/2020/NĐ-CP)",
            "Format: party (Hướng dẫn 36-HD/VPTW) or state (Decree 30/2020/NĐ-CP)"),
    "heading.fmt": ("Thể thức của đơn vị", "The unit's format"),
    "heading.issuing_body": ("Tên cơ quan ban hành (chữ in hoa)", "Issuing body (capitals)"),
    "heading.parent_body": ("Tên cơ quan cấp trên / chủ quản", "Parent / governing body"),
    "heading.place": ("Địa danh", "Place name"),
    "heading.issuer_abbr": ("Chữ viết tắt của cơ quan trong số, ký hiệu (ĐU, UBND)", "Issuer abbreviation in the number (ĐU, UBND)"),
    "heading.signer_name": ("Họ tên người ký", "Signer's name"),
    "heading.signer_title": ("Chức vụ người ký", "Signer's title"),
    "heading.signing_form": ("Hình thức ký: tm, kt, tl, none", "Signing form: tm, kt, tl, none"),
    "heading.signing_for": ("Thay mặt / ký thay cho ai (BAN THƯỜNG VỤ, ỦY BAN NHÂN DÂN)", "On behalf of whom"),
    "heading.signing_lines[]": ("Các dòng của khối chữ ký (T/M BAN THƯỜNG VỤ; BÍ THƯ)", "Lines of the signing block"),
    "issuer_name": ("Tên cơ quan trong câu văn (Đảng ủy xã Kỳ Thượng)", "Issuer as a sentence names it"),
    "issued_on": ("Ngày ban hành dd/mm/yyyy (trống khi là dự thảo)", "Date of issue dd/mm/yyyy (empty in a draft)"),
    "date_line": ("Địa danh và ngày tháng năm (Kỳ Thượng, ngày 08 tháng 7 năm 2020)", "Place and date line"),
    "number_text": ("Số, ký hiệu (06-TB/ĐU; 12/TB-UBND); để trống số khi là dự thảo", "Number and symbol; blank digits in a draft"),
    "summary": ("Trích yếu nội dung", "Summary (trích yếu)"),
    "recipients[]": ("Nơi nhận, mỗi dòng một nơi", "Recipients, one per line"),
    "archive": ("Dòng lưu (Lưu: VT)", "The archive line (Lưu: VT)"),
    "rule_days": ("Số ngày của thời hạn áp dụng", "Days of the deadline that applies"),
    "rule_source": ("Căn cứ pháp lý của thời hạn", "Legal source of the deadline"),
}
_SESSION_FIELDS: _D = {
    "id": ("Mã số buổi", "Session id"), "date": ("Ngày dd/mm/yyyy", "Date dd/mm/yyyy"),
    "weekday": ("Thứ", "Weekday"), "time": ("Giờ (07h30–11h00)", "Hours"), "place": ("Địa điểm", "Place"),
    "chair": ("Người chủ trì", "Chaired by"), "topic": ("Nội dung, chủ đề", "Topic"),
    "kind": ("Loại buổi (mã)", "Kind (code)"), "kind_label": ("Loại buổi (buổi tiếp công dân định kỳ…)", "Kind, in words"),
    "status": ("Trạng thái (mã)", "Status (code)"), "people": ("Số lượt người", "People received"),
    "groups": ("Số đoàn đông người", "Groups of many people"), "refused": ("Số lượt từ chối tiếp", "Refused"),
}
_PETITION_FIELDS: _D = {
    "id": ("Mã số đơn", "Petition id"), "code": ("Mã đơn (KN-…)", "Case code"), "summary": ("Nội dung tóm tắt", "Summary"),
    "category": ("Lĩnh vực", "Category"), "state": ("Tình trạng", "State"),
    "department": ("Phòng, ban được giao", "Assigned department"),
}
_PETITION_FULL: _D = {**_PETITION_FIELDS, "received_on": ("Ngày nhận dd/mm/yyyy", "Date received"),
                      "due_date": ("Hạn của thời hạn đầu tiên dd/mm/yyyy", "Due date of its first deadline"),
                      "unit": ("Đơn vị tiếp nhận", "Receiving unit")}
_ITEM_FIELDS: _D = {
    "petition_id": ("Mã số đơn", "Petition id"), "code": ("Mã đơn", "Case code"), "summary": ("Nội dung", "Summary"),
    "department_id": ("Mã số phòng, ban", "Department id"), "department": ("Đơn vị chịu trách nhiệm", "Responsible department"),
    "due_date": ("Thời hạn giải quyết dd/mm/yyyy (tính theo lịch ngày làm việc)", "Due date (working-day calendar)"),
    "due_on": ("Thời hạn dạng YYYY-MM-DD", "Due date as YYYY-MM-DD"),
    "direction": ("Ý kiến chỉ đạo cho đơn này", "The chair's direction for this item"),
}


def _prefixed(prefix: str, fields: _D) -> _D:
    return {f"{prefix}.{k}": v for k, v in fields.items()}


PLACEHOLDERS: dict[str, _D] = {
    "schedule_notice": {"period": ("Kỳ (YYYY-MM hoặc YYYY)", "Period"), "period_label": ("Kỳ bằng chữ (tháng 3 năm 2026)", "Period in words"),
                        **_prefixed("sessions[]", _SESSION_FIELDS)},
    "result_notice": {**_prefixed("session", _SESSION_FIELDS), **_prefixed("petitions[]", _PETITION_FIELDS)},
    "conclusion_notice": {**_prefixed("session", _SESSION_FIELDS), **_prefixed("items[]", _ITEM_FIELDS),
                          "directions": ("Kết luận chung của người chủ trì", "The chair's general directions"),
                          "direction_lines[]": ("Kết luận chung, từng dòng", "The general directions, line by line")},
    "dialogue_plan": {**_prefixed("session", _SESSION_FIELDS), **_prefixed("petitions[]", _PETITION_FIELDS),
                      "invited[]": ("Thành phần mời, từng dòng", "Invited, one per line")},
    "invitation": {**_prefixed("session", _SESSION_FIELDS), "invitee": ("Người, đơn vị được mời", "Who is invited")},
    "opinions_summary": {**_prefixed("session", _SESSION_FIELDS), **_prefixed("petitions[]", _PETITION_FIELDS),
                         "categories[].code": ("Lĩnh vực (mã)", "Category (code)"),
                         "categories[].label": ("Lĩnh vực", "Category"), "categories[].count": ("Số ý kiến", "Count")},
    "written_answer": {**_prefixed("petition", _PETITION_FULL),
                       "petitioner_names": ("Họ tên người có đơn", "Petitioners' names"),
                       "answer": ("Nội dung trả lời", "The answer"), "answer_lines[]": ("Nội dung trả lời, từng dòng", "The answer, line by line")},
    "escalation_report": {**_prefixed("petition", _PETITION_FULL),
                          "history[]": ("Quá trình xử lý, từng bước", "The handling so far, step by step"),
                          "reason": ("Lý do đề nghị cấp trên", "Why the level above is asked"),
                          "recipient_above": ("Cấp trên nhận báo cáo", "The level above")},
    "receipt_slip": {**_prefixed("petition", _PETITION_FULL),
                     "petitioner_names": ("Họ tên người có đơn", "Petitioners' names"),
                     "tracking_url": ("Địa chỉ tra cứu", "Tracking address"),
                     "qr_code": ("Ảnh mã QR của địa chỉ tra cứu", "QR code image of the tracking address")},
}

# Jinja filters a template may use: formatting only, nothing that reaches outside the value.
SAFE_FILTERS = frozenset({"length", "count", "upper", "lower", "title", "capitalize", "trim", "default", "d", "join",
                          "first", "last", "replace", "string", "int", "round", "truncate", "wordcount", "center"})
LOOP_FIELDS = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length"})
STATEMENTS = frozenset({"for", "endfor", "if", "elif", "else", "endif"})
_TAG = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
_DOCXTPL_PREFIX = re.compile(r"^(?:p|tr|tc|r)\s+")  # docxtpl's {%p …%}, {%tr …%}, {{r …}}


def documented(kind: str) -> dict[str, tuple[str, str]]:
    """Every placeholder of `kind`, with its vi/en description."""
    return {**COMMON, **PLACEHOLDERS[kind]}


def allowed_paths(kind: str) -> set[str]:
    """The documented paths and each of their prefixes (`items`, `items[]`, `heading`)."""
    out = set()
    for path in documented(kind):
        parts = re.split(r"(\.|\[\])", path)
        acc = ""
        for part in parts:
            acc += part
            if acc and not acc.endswith("."):
                out.add(acc)
    return out


class TemplateRefused(ValidationError):
    """An uploaded template refused; `problems` lists every reason (each a ValidationError)."""

    def __init__(self, problems: list[ValidationError]):
        self.problems = problems
        params = {k: v for k, v in problems[0].params.items() if k != "field"}
        super().__init__(problems[0].code, field="template", **params)

    def message(self, lang: str = "vi") -> str:
        return "; ".join(p.message(lang) for p in self.problems)


def check_template(kind: str, data: bytes) -> None:
    """Refuse a template that is not a readable DOCX or uses anything undocumented."""
    problems = template_problems(kind, data)
    if problems:
        raise TemplateRefused(problems)


def template_problems(kind: str, data: bytes) -> list[ValidationError]:
    if kind not in PLACEHOLDERS:
        return [ValidationError("doc_unknown_kind", field="kind", kind=kind, choices=", ".join(PLACEHOLDERS))]
    if not data:
        return [ValidationError("doc_template_empty", field="template")]
    if len(data) > MAX_TEMPLATE_BYTES:
        return [ValidationError("doc_template_too_big", field="template", size=len(data), limit=MAX_TEMPLATE_BYTES)]
    try:
        from docx import Document
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise ValueError("not a ZIP container (.docx)")
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx, zipfile and lxml each raise their own kind
        return [ValidationError("doc_template_broken", field="template", error=f"{type(exc).__name__}: {exc}"[:300])]
    problems: list[ValidationError] = []
    places = list(_places(doc))
    allowed = allowed_paths(kind)
    bindings: dict[str, str] = {}
    env = Environment()
    for where, text in places:  # first the loops, so that `item.code` reads as `items[].code`
        for expr, stmt in _tags(text):
            if stmt and stmt.split()[:1] == ["for"]:
                try:
                    loop = env.parse("{%" + stmt + "%}{% endfor %}").body[0]
                except TemplateSyntaxError:
                    continue  # reported below
                base = _path(loop.iter, bindings)
                if isinstance(loop.target, nodes.Name) and base:
                    bindings[loop.target.name] = base + "[]"
    for where, text in places:
        for expr, stmt in _tags(text):
            problems.extend(_check_tag(env, expr, stmt, where, allowed, bindings))
    if not problems:
        problems.extend(_check_renders(kind, data))
    return problems


def _check_tag(env, expr, stmt, where, allowed, bindings) -> list[ValidationError]:
    if stmt is not None:
        word = (stmt.split() or [""])[0]
        if word not in STATEMENTS:
            return [_problem("doc_template_syntax", where, error=f"«{{% {stmt.strip()} %}}»")]
        if word in ("endfor", "endif", "else"):
            return []
        source = {"for": "{%" + stmt + "%}{% endfor %}", "if": "{%" + stmt + "%}{% endif %}",
                  "elif": "{% if true %}{%" + stmt + "%}{% endif %}"}[word]
    else:
        source = "{{" + expr + "}}"
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        return [_problem("doc_template_syntax", where, error=exc.message or str(exc))]
    out = []
    for name in _references(tree, bindings):
        if not _is_allowed(name, allowed):
            out.append(_problem("doc_placeholder_unknown", where, name=name))
    return out


def _is_allowed(name: str, allowed: set[str]) -> bool:
    if name == "loop" or name.startswith("loop.") and name[5:] in LOOP_FIELDS:
        return True
    return name in allowed


def _references(node, bindings):
    """The dotted paths an expression reads; calls and unsafe filters come out as names
    that no list holds, so they are refused like an unknown placeholder."""
    if isinstance(node, (nodes.Name, nodes.Getattr)) or (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)):
        path = _path(node, bindings)
        if path is not None:
            yield path
            return
        if isinstance(node, nodes.Getattr):  # an attribute of a literal or a call: ''.__class__
            yield f"(…).{node.attr}"
    if isinstance(node, nodes.Call):
        inner = _path(node.node, bindings)
        yield f"{inner or '?'}()"
        return
    if isinstance(node, nodes.Filter) and node.name not in SAFE_FILTERS:
        yield f"|{node.name}"
    if isinstance(node, nodes.For):
        yield from _references(node.iter, bindings)
        return
    for child in node.iter_child_nodes():
        yield from _references(child, bindings)


def _path(node, bindings) -> str | None:
    if isinstance(node, nodes.Name):
        return bindings.get(node.name, node.name)
    if isinstance(node, nodes.Getattr):
        base = _path(node.node, bindings)
        return f"{base}.{node.attr}" if base is not None else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = _path(node.node, bindings)
        if base is None:
            return None
        return f"{base}[]" if isinstance(node.arg.value, int) else f"{base}.{node.arg.value}"
    return None


def _tags(text: str):
    """(expression, None) for each {{ … }} and (None, statement) for each {% … %}."""
    for m in _TAG.finditer(text):
        if m.group(1) is not None:
            yield _DOCXTPL_PREFIX.sub("", m.group(1)), None
        else:
            yield None, _DOCXTPL_PREFIX.sub("", m.group(2)).strip()


def _places(doc):
    """(where, text) of every paragraph: the body's in order, tables' cells, headers, footers."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    def walk(container, label):
        n_p = n_t = 0
        for block in container.iter_inner_content():
            if isinstance(block, Paragraph):
                n_p += 1
                yield (*label, ("p", n_p)), block.text
            elif isinstance(block, Table):
                n_t += 1
                for r, row in enumerate(block.rows, 1):
                    for c, cell in enumerate(row.cells, 1):
                        yield from walk(cell, (*label, ("t", n_t, r, c)))

    for where, text in walk(doc, ()):
        yield where, text
    for s in doc.sections:
        for part, name in ((s.header, "header"), (s.footer, "footer")):
            if part is not None and not part.is_linked_to_previous:
                for where, text in walk(part, ((name,),)):
                    yield where, text


def describe(where, lang: str = "vi") -> str:
    """('t', 2, 3, 1), ('p', 1) → 'bảng 2, hàng 3, ô 1, đoạn 1'."""
    words = {"vi": {"p": "đoạn {}", "t": "bảng {}, hàng {}, ô {}", "header": "đầu trang", "footer": "chân trang"},
             "en": {"p": "paragraph {}", "t": "table {}, row {}, cell {}", "header": "header", "footer": "footer"}}[lang]
    return ", ".join(words[step[0]].format(*step[1:]) for step in where)


def _problem(code: str, where, **params) -> ValidationError:
    return ValidationError(code, field="template", where_vi=describe(where, "vi"), where_en=describe(where, "en"), **params)


def sample_context(kind: str) -> dict:
    """A context holding every documented placeholder with a sample value (lists of one)."""
    ctx: dict = {}
    for path in documented(kind):
        _put(ctx, path.replace("[]", "[]."), "Mẫu")
    return ctx


def _put(ctx: dict, path: str, value) -> None:
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        lst = ctx.setdefault(head[:-2], [{}])
        if rest.strip("."):
            _put(lst[0], rest.strip("."), value)
        else:
            lst[0] = value
        return
    if not rest:
        ctx[head] = value
        return
    _put(ctx.setdefault(head, {}), rest, value)


def _check_renders(kind: str, data: bytes) -> list[ValidationError]:
    from engine.documents.render import RenderFailed, fill

    ctx = sample_context(kind)
    ctx.pop("qr_code", None)
    try:
        fill(data, ctx)
    except RenderFailed as exc:
        return [ValidationError("doc_template_syntax", field="template", where_vi="toàn văn", where_en="whole document",
                                error=str(exc)[:300])]
    return []


def markdown() -> str:
    """docs/documents.md's placeholder tables, from the lists above."""
    from engine.documents.shipped import TITLES

    out = ["## Trường dùng trong mẫu / Template placeholders", "",
           "Trong mẫu, một trường viết `{{ summary }}`; một danh sách lặp bằng `{%p for r in recipients %}` … "
           "`{%p endfor %}` (đoạn) hoặc `{%tr for item in items %}` … `{%tr endfor %}` (hàng bảng). "
           "In a template a placeholder is written `{{ summary }}`; lists repeat with paragraph or table-row loops.", "",
           "### Chung cho mọi loại / Common to every kind", "", "| trường / placeholder | ý nghĩa | meaning |",
           "|---|---|---|"]
    out += [f"| `{k}` | {vi} | {en} |" for k, (vi, en) in COMMON.items()]
    for kind, fields in PLACEHOLDERS.items():
        out += ["", f"### `{kind}` — {TITLES.get(kind) or 'CÔNG VĂN'}", "", "| trường / placeholder | ý nghĩa | meaning |",
                "|---|---|---|"]
        out += [f"| `{k}` | {vi} | {en} |" for k, (vi, en) in fields.items()]
    return "\n".join(out) + "\n"

