"""Demo data: a province, three communes with departments, a user of every role, and about
200 petitions over 2025–2026 in every state (some overdue), driven through the real
services so that every clock and event is what production would have produced."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.deadlines.timeutil import local_date
from engine.language.text import fold
from engine.persistence.models import OrgUnit, Petition, User
from engine.services import petitions as svc
from engine.services.duplicates import mark_duplicate
from engine.services.handlers import add_handler
from engine.services.sessions import add_session
from engine.services.units import add_unit
from engine.services.users import add_user

DEMO_PASSWORD = "demo-petitions-2026"

UNITS = [
    ("HT", "Tỉnh Hà Tĩnh", "province", None),
    ("HT-NC", "Ban Nội chính Tỉnh ủy", "department", "HT"),
    ("HT-TNMT", "Sở Nông nghiệp và Môi trường", "department", "HT"),
    ("KYTHUONG", "Xã Kỳ Thượng", "commune", "HT"),
    ("KYTHUONG-DC", "Phòng Địa chính – Xây dựng xã Kỳ Thượng", "department", "KYTHUONG"),
    ("KYTHUONG-XH", "Phòng Văn hóa – Xã hội xã Kỳ Thượng", "department", "KYTHUONG"),
    ("KYLAC", "Xã Kỳ Lạc", "commune", "HT"),
    ("KYLAC-DC", "Phòng Kinh tế xã Kỳ Lạc", "department", "KYLAC"),
    ("KYLAC-XH", "Phòng Văn hóa – Xã hội xã Kỳ Lạc", "department", "KYLAC"),
    ("KYANH", "Phường Kỳ Anh", "ward", "HT"),
    ("KYANH-DC", "Phòng Kinh tế, Hạ tầng và Đô thị phường Kỳ Anh", "department", "KYANH"),
    ("KYANH-XH", "Phòng Văn hóa – Xã hội phường Kỳ Anh", "department", "KYANH"),
]

USERS = [  # username, role, unit, full name
    ("admin", "admin", "HT", "Quản trị hệ thống"),
    ("vanthu", "clerk", "KYTHUONG", "Nguyễn Thị Hoa"),
    ("diachinh", "department", "KYTHUONG-DC", "Trần Văn Đức"),
    ("vanhoa", "department", "KYTHUONG-XH", "Lê Thị Mai"),
    ("bithu", "leader", "KYTHUONG", "Phạm Văn Hùng"),
    ("ubkt", "auditor", "HT", "Võ Thị Lan"),
    ("vanthu.tinh", "clerk", "HT", "Đặng Văn Nam"),
    ("bithu.tinh", "leader", "HT", "Hoàng Văn Sơn"),
    ("noichinh", "department", "HT-NC", "Bùi Thị Hà"),
    ("vanthu.kylac", "clerk", "KYLAC", "Ngô Văn Bình"),
    ("bithu.kylac", "leader", "KYLAC", "Đỗ Thị Thu"),
    ("kinhte.kylac", "department", "KYLAC-DC", "Phan Văn Long"),
    ("vanthu.kyanh", "clerk", "KYANH", "Trương Thị Yến"),
    ("bithu.kyanh", "leader", "KYANH", "Lý Văn Toàn"),
    ("hatang.kyanh", "department", "KYANH-DC", "Mai Văn Quang"),
]

# The sign-ins `petitions run` prints and the README lists: one per role (the others exist
# for the other units; the admin's users page shows them all).
SIGN_INS = ("vanthu", "diachinh", "bithu", "ubkt", "admin")
ROLE_NAMES = {"clerk": ("văn thư, tiếp dân", "clerk"), "department": ("phòng ban", "department"),
              "leader": ("lãnh đạo", "leader"), "auditor": ("kiểm tra, giám sát", "auditor"),
              "admin": ("quản trị", "admin")}


def demo_sign_in_lines(lang: str = "vi") -> list[str]:
    """'vanthu    văn thư, tiếp dân — Xã Kỳ Thượng': the user, the role and the unit by name."""
    units = {code: name for code, name, _, _ in UNITS}
    users = {u: (role, unit) for u, role, unit, _ in USERS}
    width = max(len(u) for u in SIGN_INS)
    i = 1 if lang == "en" else 0
    return [f"{u.ljust(width)}  {ROLE_NAMES[users[u][0]][i]} — {units[users[u][1]]}" for u in SIGN_INS]


SUMMARIES = [
    ("land", "Đề nghị cấp giấy chứng nhận quyền sử dụng đất cho hộ gia đình"),
    ("land", "Phản ánh tranh chấp ranh giới đất ở với hộ liền kề"),
    ("compensation", "Kiến nghị xem xét lại mức bồi thường khi thu hồi đất làm đường"),
    ("resettlement", "Đề nghị bố trí tái định cư cho các hộ bị ảnh hưởng bởi dự án"),
    ("social_policy", "Đề nghị xem xét chế độ hộ cận nghèo"),
    ("social_policy", "Kiến nghị giải quyết chế độ cho người có công"),
    ("infrastructure", "Phản ánh đường giao thông liên thôn xuống cấp"),
    ("infrastructure", "Đề nghị sửa chữa kênh mương nội đồng"),
    ("party_building", "Góp ý công tác xây dựng Đảng ở chi bộ thôn"),
    ("cadre_degradation", "Phản ánh cán bộ thôn có biểu hiện thiếu trách nhiệm"),
    ("other", "Phản ánh ô nhiễm tiếng ồn từ cơ sở sản xuất"),
]
NAMES = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Võ Thị Giang",
         "Đặng Văn Hải", "Bùi Thị Khánh", "Đỗ Văn Lực", "Hồ Thị Minh", "Ngô Văn Nghĩa", "Dương Thị Oanh"]


def is_empty(session: Session) -> bool:
    """No unit and no user yet: the only database the demo may be loaded into unasked
    (its users' password is published)."""
    return session.scalar(select(OrgUnit.id).limit(1)) is None and session.scalar(select(User.id).limit(1)) is None


def demo_loaded(session: Session) -> bool:
    """The demo is there already (loading it again changes nothing)."""
    names = [u for u, *_ in USERS]
    return session.scalar(select(func.count(User.id)).where(User.username.in_(names))) == len(names) and \
        session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HT")) is not None


def load_demo(session: Session, ctx: svc.Context, seed: int = 11) -> dict:
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == "HT")) is not None:
        return {"already_loaded": True, "units": 0, "sessions": 0, "petitions": 0, "password": DEMO_PASSWORD,
                "users": [{"username": u, "role": r, "unit": un} for u, r, un, _ in USERS]}
    rng = random.Random(seed)
    for code, name, level, parent in UNITS:
        add_unit(session, code, name, level, parent)
    for username, role, unit, full in USERS:
        add_user(session, username, role, unit, DEMO_PASSWORD, email=f"{username}@example.gov.vn", full_name=full)

    cal = ctx.cal
    today = local_date(ctx.instant())
    communes = {"KYTHUONG": ("vanthu", "bithu", ["KYTHUONG-DC", "KYTHUONG-XH"]),
                "KYLAC": ("vanthu.kylac", "bithu.kylac", ["KYLAC-DC", "KYLAC-XH"]),
                "KYANH": ("vanthu.kyanh", "bithu.kyanh", ["KYANH-DC", "KYANH-XH"]),
                "HT": ("vanthu.tinh", "bithu.tinh", ["HT-NC", "HT-TNMT"])}
    n_sessions = n_petitions = 0
    start = date(2025, 1, 6)
    day = start
    while n_petitions < 200 and day < today:
        for unit, (clerk, leader, depts) in communes.items():
            if rng.random() < (0.3 if unit == "HT" else 0.6):
                held = cal.next_working_day(day + timedelta(days=rng.randrange(0, 5)))
                if held >= today:
                    continue
                kind = rng.choice(["reception_periodic"] * 4 + ["reception_adhoc", "dialogue_periodic", "dialogue_thematic"])
                rs = add_session(session, unit, kind, held, people=rng.randrange(1, 9), groups=int(rng.random() < 0.1),
                                 refused=int(rng.random() < 0.03), chair="Bí thư", chair_role="party_secretary",
                                 today=today)
                n_sessions += 1
                for _ in range(rng.randrange(1, 4)):
                    n_petitions += 1
                    _one_petition(session, ctx, rng, unit, rs.id, held, clerk, leader, depts, today)
        day += timedelta(days=14)
    n_petitions += _duplicate_letter(session, ctx, today)
    n_petitions += _denunciation(session, ctx, today)
    n_planned = _plan_year(session, cal, today)
    from engine.intake.demo_letters import load_demo_letters  # issue 17
    n_letters = load_demo_letters(session, ctx, today)
    from engine.documents.demo import load_demo_documents  # the register's demo documents (issue 15)
    n_documents = load_demo_documents(session, ctx)
    return {"letters": n_letters, "units": len(UNITS), "sessions": n_sessions, "planned": n_planned, "petitions": n_petitions,
            "documents": n_documents,
            "password": DEMO_PASSWORD,
            "users": [{"username": u, "role": r, "unit": un} for u, r, un, _ in USERS]}


def _one_petition(session, ctx, rng, unit, session_id, held, clerk, leader, depts, today):
    cal = ctx.cal
    category, summary = rng.choice(SUMMARIES)
    name = rng.choice(NAMES)
    email = f"{fold(name.split()[-1])}{rng.randrange(100)}@example.vn" if rng.random() < 0.4 else ""
    p = svc.add_petition(session, ctx, unit, summary, session_id=session_id, category=category,
                         petitioners=[{"name": name, "address": f"Thôn {rng.randrange(1, 12)}", "email": email}],
                         group_size=rng.choice([1, 1, 1, 1, 2, 6, 12]), complex_prolonged=rng.random() < 0.08,
                         actor=svc.user_by_name(session, clerk))
    fate = rng.random()

    def on(d):
        return min(d, today)

    if fate < 0.12:
        svc.act(session, ctx, p.code, "answer_at_meeting", leader, {"note": "Đã giải thích chính sách tại buổi tiếp"},
                on=held)
        return
    conclude_on = cal.add_working_days(held, rng.choice([2, 4, 6, 8, 9, 10, 12]))
    if conclude_on >= today or fate < 0.18:
        return  # still waiting for the conclusion notice (overdue when past 10 working days)
    if fate < 0.23:
        svc.act(session, ctx, p.code, "refer", clerk, {"agency": "Tòa án nhân dân khu vực"}, on=conclude_on)
        return
    if fate < 0.27 and unit != "HT":
        svc.act(session, ctx, p.code, "escalate", leader, {"reason": "Vượt thẩm quyền cấp xã"}, on=conclude_on)
        return
    dept = rng.choice(depts)
    svc.act(session, ctx, p.code, "conclude", clerk,
            {"notice_no": f"{rng.randrange(1, 300)}-TB/ĐU", "department": dept}, on=conclude_on)
    resolve_on = cal.add_working_days(conclude_on, rng.choice([10, 18, 25, 28, 30, 34, 40]))
    if rng.random() < 0.12 and cal.add_working_days(conclude_on, 20) < today:
        svc.act(session, ctx, p.code, "extend", leader, {"days": "15", "reason": "Vụ việc phức tạp, cần xác minh thêm"},
                on=cal.add_working_days(conclude_on, 20))
        resolve_on = cal.add_working_days(resolve_on, 10)
    if resolve_on >= today or rng.random() < 0.1:
        return  # being resolved (some of these are overdue)
    dept_user = {"KYTHUONG-DC": "diachinh", "KYTHUONG-XH": "vanhoa", "KYLAC-DC": "kinhte.kylac",
                 "KYANH-DC": "hatang.kyanh", "HT-NC": "noichinh"}.get(dept, clerk)
    svc.act(session, ctx, p.code, "resolve", dept_user, {"document_no": f"{rng.randrange(1, 500)}/UBND",
                                                         "outcome": "Đã trả lời bằng văn bản"}, on=resolve_on)
    r = rng.random()
    if r < 0.07:
        svc.act(session, ctx, p.code, "reopen", leader, {"reason": "Công dân tiếp tục kiến nghị"},
                on=on(cal.add_working_days(resolve_on, 5)))
    elif r < 0.5:
        svc.act(session, ctx, p.code, "close", clerk, {}, on=on(cal.add_working_days(resolve_on, 3)))


def _plan_year(session: Session, cal, today: date) -> int:
    """Kỳ Thượng's plan for the coming year (issue 14): the party secretary receives citizens on
    the 10th and the 25th of every month (a day off moves to the next working day), two
    thematic dialogues; planned from ten days ago, so one session may show as missed; this
    month and the next are published (the public page and the iCalendar feed show them)."""
    from engine.language.errors import ValidationError
    from engine.services import sessions as plans
    since = today - timedelta(days=10)
    dates = [d for y in (since.year, since.year + 1) for d in plans.monthly_dates(y, [10, 25], cal=cal, after=since)
             if d <= since + timedelta(days=365)]
    plans.plan_series(session, "KYTHUONG", "reception_periodic", dates, starts_at="07:30", ends_at="11:00",
                      place="Trụ sở Đảng ủy xã Kỳ Thượng", chair="Phạm Văn Hùng", chair_role="party_secretary",
                      today=since)
    dialogues = [cal.next_working_day(since + timedelta(days=n)) for n in (45, 225)]
    plans.plan_series(session, "KYTHUONG", "dialogue_thematic", dialogues[:1], starts_at="14:00", ends_at="16:30",
                      place="Nhà văn hóa thôn 3", chair="Phạm Văn Hùng", chair_role="party_secretary",
                      topic="Giải phóng mặt bằng đường liên xã", today=since)
    plans.plan_series(session, "KYTHUONG", "dialogue_periodic", dialogues[1:], starts_at="14:00", ends_at="16:30",
                      place="Hội trường UBND xã Kỳ Thượng", chair="Phạm Văn Hùng", chair_role="party_secretary",
                      today=since)
    nxt = (today.replace(day=28) + timedelta(days=4))
    for period in (f"{today.year:04d}-{today.month:02d}", f"{nxt.year:04d}-{nxt.month:02d}"):
        try:
            plans.publish_schedule(session, "KYTHUONG", period)
        except ValidationError:  # a month without a planned session has nothing to publish
            pass
    return len(dates) + len(dialogues)


def _duplicate_letter(session: Session, ctx: svc.Context, today: date) -> int:
    """A citizen sends the same letter again (đơn trùng): the clerk links it to the first one."""
    first = session.scalar(select(Petition).join(OrgUnit, Petition.unit_id == OrgUnit.id)
                           .where(OrgUnit.code == "KYTHUONG").order_by(Petition.id).limit(1))
    if first is None:
        return 0
    person = first.petitioners[0]
    again = svc.add_petition(session, ctx, "KYTHUONG", f"{first.summary} (gửi lại lần 2)",
                             received_on=today, category=first.category,
                             petitioners=[{"name": person.name, "address": person.address, "email": person.email}],
                             actor=svc.user_by_name(session, "vanthu"))
    mark_duplicate(session, svc.user_by_name(session, "vanthu"), again, first,
                   "Công dân gửi lại cùng nội dung đã được tiếp nhận", ctx.instant())
    return 1


def _denunciation(session: Session, ctx: svc.Context, today: date) -> int:
    """A denunciation received by the clerk (who is named to handle it); the Party Secretary
    names the land officer to verify it, and sees the denouncer only as "protected"."""
    p = svc.add_petition(session, ctx, "KYTHUONG", "Tố cáo cán bộ địa chính xã thu tiền trái quy định khi làm thủ tục "
                         "sang tên quyền sử dụng đất", received_on=today, category="land", kind="denunciation",
                         petitioners=[{"name": "Phan Thị Tố", "address": "Thôn 4", "phone": "0915000444"}],
                         actor=svc.user_by_name(session, "vanthu"))
    add_handler(session, svc.user_by_name(session, "bithu"), p, "diachinh", ctx.instant())
    return 1
