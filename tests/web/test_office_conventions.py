"""Issue 12: the case page reads like Vietnamese office software — names instead of user
names and codes, verification data for auditors only, Post/Redirect/Get after a refused
form, a confirmed extension to a date already past, and a short "Why this date?"."""
from __future__ import annotations

import re

from sqlalchemy import select

from engine.persistence.db import transaction
from engine.persistence.models import Petition


def _overdue(org, ctx):
    """A petition at C1 whose resolution clock fell due in September 2026 (today is 20/11/2026)."""
    from engine.services import petitions as svc
    with transaction(org) as s:
        p = svc.add_petition(s, ctx, "C1", "Đường ngập nước", received_on="2026-08-03",
                             petitioners=[{"name": "Hoàng Văn Em", "address": "Thôn 1"}])
        svc.act(s, ctx, p.code, "conclude", "clerk1", {"notice_no": "5-TB/ĐU", "department": "C1-D1"},
                on="2026-08-05")
        return p.code


def _clock(org, code):
    with transaction(org) as s:
        c = s.scalar(select(Petition).where(Petition.code == code)).clock("resolution")
        return c.due_date, c.extensions


def _version(b, code):
    return re.search(r'name="version" value="(\d+)"', b.get(f"/petitions/{code}").get_data(as_text=True)).group(1)


def test_history_shows_peoples_and_units_names(as_user, data):
    body = as_user("leader1").get(f"/petitions/{data['A1']}").get_data(as_text=True)
    history = body[body.index('id="history"'):]
    assert "Phòng Địa chính xã Một" in history and "C1-D1" not in history
    assert "Clerk1" in history and "· clerk1 ·" not in history


def test_hashes_and_version_are_for_the_auditors_verification_view(as_user, data):
    code = data["A1"]
    for user in ("clerk1", "leader1", "dept1"):
        body = as_user(user).get(f"/petitions/{code}").get_data(as_text=True)
        assert 'class="hash"' not in body and "Phiên bản" not in body and 'id="verify-on"' not in body, user
        assert 'class="hash"' not in as_user(user).get(f"/petitions/{code}?verify=1").get_data(as_text=True)
    b = as_user("auditor")
    body = b.get(f"/petitions/{code}").get_data(as_text=True)
    assert 'class="hash"' not in body and 'id="verify-on"' in body and "Kiểm chứng" in body
    body = b.get(f"/petitions/{code}?verify=1").get_data(as_text=True)
    assert 'class="hash"' in body and "Phiên bản" in body


def test_a_refused_form_redirects_back_with_values_and_errors(as_user, data, org):
    b = as_user("dept1")
    code = data["A1"]
    r = b.post(f"/petitions/{code}/act/resolve", {"document_no": "  ", "outcome": "Đã trả lời khu dân cư"})
    assert r.status_code == 303 and r.headers["Location"].startswith(f"/petitions/{code}")
    body = b.get(r.headers["Location"]).get_data(as_text=True)
    assert 'data-field="document_no">Thông tin này là bắt buộc.' in body
    assert "Đã trả lời khu dân cư" in body and '<details class="action" id="action-resolve" open' in body
    again = b.get(f"/petitions/{code}").get_data(as_text=True)  # shown once: a reload is a clean page
    assert "Thông tin này là bắt buộc." not in again
    assert _clock(org, code)[1] == 0


def test_extending_to_a_past_date_asks_for_confirmation(as_user, org, ctx):
    code = _overdue(org, ctx)
    due, _ = _clock(org, code)
    b = as_user("leader1")
    url = f"/petitions/{code}/act/extend"
    r = b.post(url, {"reason": "Chờ kết quả đo đạc", "until": "16/11/2026", "version": _version(b, code)})
    assert r.status_code == 303
    body = b.get(r.headers["Location"]).get_data(as_text=True)
    assert "Hạn mới 16/11/2026 đã qua: việc vẫn quá hạn 4 ngày làm việc" in body
    assert 'name="confirm" value="1"' in body and "16/11/2026" in body
    assert _clock(org, code) == (due, 0)  # nothing changed yet
    version = re.search(r'name="version" value="(\d+)"', body).group(1)
    r = b.post(url, {"reason": "Chờ kết quả đo đạc", "until": "16/11/2026", "version": version, "confirm": "1"})
    assert r.status_code == 302
    assert _clock(org, code)[1] == 1 and str(_clock(org, code)[0]) == "2026-11-16"


def test_extending_to_a_future_date_needs_no_confirmation(as_user, org, ctx):
    code = _overdue(org, ctx)
    b = as_user("leader1")
    r = b.post(f"/petitions/{code}/act/extend", {"reason": "x", "until": "30/11/2026", "version": _version(b, code)})
    assert r.status_code == 302 and _clock(org, code)[1] == 1


def test_why_this_date_leads_with_holidays_and_sums_up_weekends(as_user, org, ctx):
    code = _overdue(org, ctx)  # 30 working days from 05/08/2026: the 31/08 swap and Quốc khánh 01–02/09
    b = as_user("leader1")
    body = b.get(f"/petitions/{code}").get_data(as_text=True)
    why = body[body.index('data-clock="resolution"'):]
    holidays = why[why.index('data-skipped="holidays"'):why.index("</table>", why.index('data-skipped="holidays"'))]
    assert "Quốc khánh" in holidays and "Bộ luật Lao động 2019, Điều 112" in holidays and "Nghỉ cuối tuần" not in holidays
    assert "holidays 0." not in body
    assert re.search(r'<summary>11 ngày cuối tuần \(Thứ Bảy, Chủ nhật\)', why)
    assert why.index('data-skipped="holidays"') < why.index('data-skipped="weekends"')
    b.lang("en")
    body = b.get(f"/petitions/{code}").get_data(as_text=True)
    assert "National Day" in body and "Labour Code 2019, Article 112" in body and "Quốc khánh" not in body
    assert re.search(r"<summary>11 weekend days \(Saturday, Sunday\)", body)


def test_admin_page_names_unit_levels_and_has_header_rows(as_user):
    b = as_user("admin")
    body = b.get("/admin/").get_data(as_text=True)
    units = body[body.index('id="units"'):body.index("</table>", body.index('id="units"'))]
    assert "<thead>" in units and "Cấp</th>" in units
    cell = re.compile(r"<td[^>]*>([^<]*)</td>")  # cells carry data-label (the phone's card layout)
    levels = set(cell.findall(units))
    assert {"Tỉnh/thành phố", "Xã", "Phòng ban"} <= levels and not {"province", "commune"} & levels
    sign_ins = body[body.index('id="sign-ins"'):]
    assert sign_ins.index("<thead>") < sign_ins.index("<tbody>") and "Địa chỉ mạng" in sign_ins
    b.lang("en")
    body = b.get("/admin/").get_data(as_text=True)
    assert {"Province / city", "Commune"} <= set(cell.findall(body))


def test_menu_items_do_not_wrap():
    from pathlib import Path
    css = (Path(__file__).resolve().parents[2] / "web/static/style.css").read_text()
    rule = re.search(r"nav\.main a \{([^}]*)\}", css).group(1)
    assert "white-space: nowrap" in rule


def test_favicon(browser, as_user):
    r = browser.get("/favicon.ico")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<svg" in r.data
    for body in (browser.get("/login").get_data(as_text=True), as_user("clerk1").get("/").get_data(as_text=True)):
        icon = re.search(r'<link rel="icon" href="([^"]+)"', body).group(1)
        assert browser.get(icon).status_code == 200


def test_ontime_report_dates_read_dd_mm_yyyy(as_user, data):
    body = as_user("auditor").get("/reports/ontime").get_data(as_text=True)
    assert 'name="from" value="01/01/2026"' in body and 'name="to" value="20/11/2026"' in body
    assert 'value="2026-' not in body


def test_ontime_report_groups_by_unit_with_drill_down(as_user, data):
    b = as_user("auditor")
    body = b.get("/reports/ontime?by=unit&clock=conclusion").get_data(as_text=True)
    assert '<option value="unit" selected>Đơn vị</option>' in body
    link = re.search(r'<a href="([^"]+)" data-unit="C1">Xã Một</a>', body)
    assert link and 'data-unit="C2">Xã Hai</a>' in body
    from html import unescape
    sub = b.get(unescape(link.group(1)))
    assert sub.status_code == 200 and "Xã Một (C1)" in sub.get_data(as_text=True)
    assert "Phòng Địa chính xã Một" in sub.get_data(as_text=True)


def test_bad_grouping_lists_the_choices_by_their_labels(as_user, data):
    b = as_user("auditor")
    body = b.get("/reports/ontime?by=weekday").get_data(as_text=True)
    assert "chọn một trong: Đơn vị, Phòng ban, Lĩnh vực, Tháng" in body and "department, category" not in body
    b.lang("en")
    body = b.get("/reports/ontime?by=weekday").get_data(as_text=True)
    assert "choose one of: Unit, Department, Category, Month" in body


def test_ontime_figures_are_explained_in_plain_words(as_user, data):
    b = as_user("auditor")
    body = b.get("/reports/ontime").get_data(as_text=True)
    plain = body[body.index('id="ontime-plain"'):body.index("</section>", body.index('id="ontime-plain"'))]
    assert "3 trên 4 việc được giải quyết đúng hạn (75,0 %)" in plain
    assert re.search(r"tỷ lệ thật nằm trong khoảng \d+–\d+ %", plain)
    assert "Một nửa số việc được giải quyết trong vòng" in plain
    assert 'title="Với số việc hiện có, tỷ lệ đúng hạn thật nằm trong khoảng này (tin cậy 95 %)' in body


def test_appendix2_print_has_the_party_heading_and_signature_block(as_user, data):
    b = as_user("c1auditor")
    body = b.get("/reports/appendix2?period=year&year=2026&print=1").get_data(as_text=True)
    head = body[body.index('id="doc-head"'):body.index("</table>", body.index('id="doc-head"'))]
    assert "ĐẢNG BỘ TỈNH THỬ" in head and "ĐẢNG ỦY XÃ MỘT" in head and "ĐẢNG CỘNG SẢN VIỆT NAM" in head
    assert '<div class="place-date">Một, ngày 20 tháng 11 năm 2026</div>' in head
    assert "<h1>PHỤ LỤC 2</h1>" in body and "theo Quy định số 11-QĐi/TW" in body
    assert "(từ ngày 01/01/2026 đến ngày 31/12/2026)" in body
    sign = body[body.index('id="doc-sign"'):]
    assert "T/M ĐẢNG ỦY" in sign and "BÍ THƯ" in sign and 'class="name-line"' in sign
    assert body.index('id="appendix2-table"') < body.index('id="doc-sign"')
    assert "<th>Tổng cộng</th>" in body


def test_print_css_keeps_the_small_i_of_qdi():
    from pathlib import Path
    css = (Path(__file__).resolve().parents[2] / "web/static/print_a4.css").read_text()
    assert "text-transform: uppercase" not in css.split("/*")[0] and "uppercase" not in re.sub(r"/\*.*?\*/", "", css)


def test_appendix2_csv_reads_like_the_page(as_user, data):
    b = as_user("c1auditor")
    page = b.get("/reports/appendix2?period=year&year=2026").get_data(as_text=True)
    assert "<th>Tổng cộng</th>" in page and "Tổng số" not in page
    csv_text = b.get("/reports/appendix2?period=year&year=2026&format=csv").get_data().decode("utf-8-sig")
    header = csv_text.splitlines()[0].split(",")
    assert header == ["STT", "Nội dung", "Chi tiết", "Cấp xã", "Cấp tỉnh", "Tổng cộng"]
    assert "receptions_periodic" not in csv_text
    j = b.get("/reports/appendix2?period=year&year=2026&format=json").get_json()
    assert "receptions_periodic" in j


def test_provisional_badge_explains_itself(as_user, org, ctx):
    from engine.services import petitions as svc
    with transaction(org) as s:  # 30 working days from 20/11/2026 run into 2027, a year no decision confirms
        p = svc.add_petition(s, ctx, "C1", "Cầu tràn hư hỏng", received_on="2026-11-19")
        svc.act(s, ctx, p.code, "conclude", "clerk1", {"notice_no": "9-TB/ĐU", "department": "C1-D1"}, on="2026-11-20")
        code = p.code
    body = as_user("leader1").get(f"/petitions/{code}").get_data(as_text=True)
    clock = body[body.index('data-clock="resolution"'):]
    assert 'data-flag="provisional" title="Lịch nghỉ của năm này chưa được xác nhận">tạm tính</span>' in clock
    assert "Chính phủ chưa công bố lịch nghỉ của năm này; hạn có thể thay đổi" in clock
