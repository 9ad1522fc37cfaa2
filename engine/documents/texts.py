"""The register's messages (Vietnamese first, English second), added to the engine's one
table (`engine.language.messages.MESSAGES`) when the documents room is imported.

Kept here rather than appended to messages.py because two engineers edit issue 15 in one
working tree; a name clash with the shared table is refused at import, so nothing is
silently overwritten.
"""
from __future__ import annotations

from engine.language.messages import MESSAGES

REGISTER_MESSAGES: dict[str, tuple[str, str]] = {
    "reg_unknown_document": ("Không tìm thấy văn bản số {id} (hoặc ngoài phạm vi được xem)",
                             "Unknown document {id} (or outside your scope)"),
    "reg_not_draft": ("Văn bản {number} đã ban hành nên không sửa, không ban hành lại được; muốn sửa thì lập văn bản đính chính",
                      "Document {number} is already issued and cannot be changed or issued again; draft a correction instead"),
    "reg_role_cannot": ("Vai trò «{role}» không được {what}", "The role '{role}' may not {what_en}"),
    "reg_unknown_type": ("Loại văn bản không hợp lệ «{value}» (chọn một trong: {choices})",
                         "Invalid document type '{value}' (choose one of: {choices})"),
    "reg_no_items": ("Thông báo kết luận phải có ít nhất một đơn", "A conclusion notice needs at least one petition"),
    "reg_too_many_items": ("Một thông báo kết luận có tối đa {max} đơn (nhận được {n})",
                           "A conclusion notice takes at most {max} petitions (got {n})"),
    "reg_item_no_department": ("Đơn {code}: chưa chọn phòng, ban chịu trách nhiệm",
                               "Petition {code}: no responsible department chosen"),
    "reg_item_refused": ("Không ban hành được thông báo vì đơn {code}: {reason}. Không đơn nào được kết luận.",
                         "The notice was not issued because of petition {code}: {reason_en}. No petition was concluded."),
    "reg_item_stale": ("Không ban hành được thông báo: đơn {code} vừa được người khác xử lý (phiên bản {actual}, "
                       "bản nháp ghi {expected}). Không đơn nào được kết luận; hãy mở lại bản nháp.",
                       "The notice was not issued: petition {code} was changed by someone else (version {actual}, "
                       "the draft has {expected}). No petition was concluded; reopen the draft."),
    "reg_due_mismatch": ("Hạn giải quyết của đơn {code} trong văn bản ({doc}) khác hạn hệ thống tính ({clock}); "
                         "không ban hành", "The due date of petition {code} in the document ({doc}) differs from "
                         "the engine's ({clock}); not issued"),
    "reg_pdf_empty": ("Chưa chọn tệp PDF hoặc tệp rỗng", "No PDF file was chosen, or it is empty"),
    "reg_pdf_too_big": ("Tệp PDF quá lớn ({size} byte; tối đa {limit} byte)",
                        "The PDF is too large ({size} bytes; at most {limit})"),
    "reg_pdf_not_pdf": ("Tệp «{name}» không phải là PDF (không có chữ ký %PDF ở đầu tệp)",
                        "The file '{name}' is not a PDF (no %PDF signature at its start)"),
    "reg_pdf_broken": ("Tệp PDF «{name}» bị hỏng, không đọc được: {error}",
                       "The PDF '{name}' is broken and cannot be read: {error}"),
    "reg_pdf_encrypted": ("Tệp PDF «{name}» có mật khẩu; hãy tải lên bản không khoá",
                          "The PDF '{name}' is password-protected; upload an unlocked copy"),
    "reg_file_missing": ("Tệp của văn bản {number} không còn trong kho lưu trữ (hoặc đã bị sửa: mã băm khác)",
                         "The file of document {number} is missing from the store (or was altered: its hash differs)"),
    "reg_no_file": ("Văn bản {id} chưa có tệp (bản nháp chưa ban hành)", "Document {id} has no file yet (an unissued draft)"),
    "reg_correction_of_draft": ("Chỉ đính chính được văn bản đã ban hành hoặc đã đăng ký",
                                "Only an issued or registered document can be corrected"),
    "reg_correction_upload": ("Văn bản {number} đã thực hiện kết luận các đơn; đính chính bằng cách đăng ký văn bản "
                              "đính chính (tải tệp PDF lên) ghi rõ văn bản được đính chính",
                              "Document {number} concluded its petitions; correct it by registering the correcting "
                              "document (upload its PDF) naming the one it corrects"),
    "reg_date_year": ("Ngày ban hành {date} nằm ngoài khoảng cho phép ({lo}–{hi})",
                      "The issue date {date} is outside the allowed range ({lo}–{hi})"),
}

_clash = set(REGISTER_MESSAGES) & set(MESSAGES)
if _clash:  # pragma: no cover - a programming error, caught by any test that imports the room
    raise RuntimeError(f"register messages clash with the engine's: {sorted(_clash)}")
MESSAGES.update(REGISTER_MESSAGES)
