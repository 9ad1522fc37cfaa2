"""Demo letters, complaints and denunciations (issue 17), driven through the real services
so the pages show every state of the three workflows: a letter waiting, one filed, one
transferred, letters accepted into a complaint (with a dialogue, decided) and into
denunciations (one suspended, one overdue and taken to the superior)."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from engine.services import casework
from engine.services import petitions as svc


def load_demo_letters(session: Session, ctx: svc.Context, today: date) -> int:
    cal = ctx.cal

    def back(n: int) -> date:  # n working days before today
        return cal.sub_working_days(today, n)

    def letter(unit, clerk, days_ago, summary, channel="post", source="", name="Nguyễn Văn Bình", signers=1):
        return casework.register_letter(session, ctx, unit, summary, channel, transferred_from=source, signers=signers,
                                        petitioners=[{"name": name, "address": "Thôn 3, xã Kỳ Thượng"}],
                                        received_on=back(days_ago), category="land",
                                        actor=svc.user_by_name(session, clerk)).code

    def act(code, action, by, on, **params):
        return svc.act(session, ctx, code, action, by, params, on=on)

    n = 0
    # waiting to be classified (transferred in by the province's reception office)
    letter("KYTHUONG", "vanthu", 2, "Đơn đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất",
           channel="transferred", source="Ban Tiếp công dân tỉnh")
    n += 1
    # anonymous: recorded, not handled
    c = letter("KYTHUONG", "vanthu", 12, "Đơn không ký tên phản ánh cán bộ thôn", name="")
    act(c, "classify", "vanthu", back(10), content="denunciation", condition="anonymous", competent="yes")
    act(c, "file", "vanthu", back(9), note="Đơn nặc danh, không có thông tin cụ thể")
    n += 1
    # not ours: transferred to the competent body
    c = letter("KYTHUONG", "vanthu", 15, "Khiếu nại quyết định thu hồi đất của UBND tỉnh", signers=6)
    act(c, "classify", "vanthu", back(13), content="complaint", condition="eligible", competent="no")
    act(c, "transfer", "vanthu", back(12), agency="UBND tỉnh Hà Tĩnh")
    n += 1
    # a complaint: accepted, dialogue, decided
    c = letter("KYTHUONG", "vanthu", 40, "Khiếu nại quyết định xử phạt vi phạm hành chính về xây dựng")
    act(c, "classify", "vanthu", back(38), content="complaint", condition="eligible", competent="yes")
    case = act(c, "accept", "vanthu", back(37), contested_on=back(45).strftime("%d/%m/%Y")).created.code
    act(case, "accept", "bithu", back(35), decision_no="15/QĐ-UBND", complex="yes")
    act(case, "dialogue", "bithu", back(20), note="Đối thoại với người khiếu nại tại trụ sở UBND xã")
    act(case, "resolve", "bithu", back(5), document_no="22/QĐ-UBND", outcome="Giữ nguyên quyết định xử phạt")
    n += 1
    # a second-instance complaint, just received
    case = svc.add_petition(session, ctx, "HT", "Khiếu nại lần hai quyết định giải quyết khiếu nại của Chủ tịch UBND xã",
                            received_on=back(3), petitioners=[{"name": "Trần Thị Lan"}], workflow="complaint",
                            flags=["second"], actor=svc.user_by_name(session, "vanthu.tinh")).code
    n += 1
    # a denunciation: accepted, the denouncer notified, suspended while the police verify
    c = letter("KYLAC", "vanthu.kylac", 30, "Tố cáo cán bộ địa chính nhận tiền khi làm thủ tục đất đai",
               name="Lê Văn Hùng")
    act(c, "classify", "vanthu.kylac", back(28), content="denunciation", condition="eligible", competent="yes")
    case = act(c, "accept", "vanthu.kylac", back(27)).created.code
    act(case, "accept", "bithu.kylac", back(26), decision_no="08/QĐ-UBND", complex="yes")
    act(case, "notify", "vanthu.kylac", back(24), letter_no="09/TB-UBND")
    act(case, "suspend", "bithu.kylac", back(6), reason="Chờ kết quả xác minh của cơ quan công an",
        decision_no="12/QĐ-UBND")
    n += 1
    # an overdue denunciation: the denouncer went to the province
    c = letter("KYANH", "vanthu.kyanh", 80, "Tố cáo trưởng thôn sử dụng sai quỹ xây dựng nông thôn mới",
               name="Phạm Văn Tâm")
    act(c, "classify", "vanthu.kyanh", back(78), content="denunciation", condition="eligible", competent="yes")
    case = act(c, "accept", "vanthu.kyanh", back(77)).created.code
    act(case, "accept", "bithu.kyanh", back(76), decision_no="03/QĐ-UBND")
    act(case, "go_to_superior", "vanthu.kyanh", back(8), reason="Quá thời hạn giải quyết, người tố cáo gửi đơn lên tỉnh")
    n += 1
    return n
