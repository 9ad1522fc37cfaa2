"""User-facing texts of the engine, Vietnamese first, English second.

Kept as a plain table (code -> (vi, en)) so that domain code stays free of Flask-Babel;
the web layer asks for the text in the request's locale.
"""
from __future__ import annotations

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

MESSAGES: dict[str, tuple[str, str]] = {
    # dates and numbers
    "bad_date": ("Ngày không hợp lệ: «{value}» (cần dạng YYYY-MM-DD hoặc dd/mm/yyyy)",
                 "Invalid date: '{value}' (expected YYYY-MM-DD or dd/mm/yyyy)"),
    "bad_instant": ("Thời điểm không hợp lệ: «{value}» (cần ISO 8601 có múi giờ, ví dụ 2025-01-20T20:00:00Z)",
                    "Invalid instant: '{value}' (expected ISO 8601 with an offset, e.g. 2025-01-20T20:00:00Z)"),
    "bad_from": ("Giá trị --from không hợp lệ: «{value}» (cần ngày YYYY-MM-DD hoặc thời điểm ISO 8601 có múi giờ)",
                 "Invalid --from: '{value}' (expected a date YYYY-MM-DD or an ISO 8601 instant with an offset)"),
    "bad_int": ("«{value}» không phải là số nguyên ({field})", "'{value}' is not a whole number ({field})"),
    "negative_days": ("Số ngày phải không âm (nhận được {n})", "The number of days must not be negative (got {n})"),
    "date_out_of_range": ("Ngày {date} nằm ngoài khoảng lịch hỗ trợ {lo}–{hi}",
                          "Date {date} is outside the supported calendar range {lo}–{hi}"),
    "result_out_of_range": ("Kết quả vượt quá khoảng lịch hỗ trợ (đến {hi})",
                            "The result falls beyond the supported calendar range (up to {hi})"),
    # decision files
    "cal_unreadable": ("Tệp quyết định lịch {file}: không đọc được ({error})",
                       "Calendar decision file {file}: cannot be read ({error})"),
    "cal_malformed": ("Tệp quyết định lịch {file}: sai cú pháp TOML ({error})",
                      "Calendar decision file {file}: malformed TOML ({error})"),
    "cal_unknown_section": ("Tệp quyết định lịch {file}: mục không hợp lệ «{section}» (chỉ dùng day_off, working_day, confirmed_year)",
                            "Calendar decision file {file}: unknown section '{section}' (use day_off, working_day, confirmed_year)"),
    "cal_unknown_key": ("Tệp quyết định lịch {file}, mục {entry}: khoá không hợp lệ «{key}»",
                        "Calendar decision file {file}, entry {entry}: unknown key '{key}'"),
    "cal_missing_key": ("Tệp quyết định lịch {file}, mục {entry}: thiếu «{key}»",
                        "Calendar decision file {file}, entry {entry}: missing '{key}'"),
    "cal_not_a_date": ("Tệp quyết định lịch {file}, mục {entry}: «{value}» không phải là ngày (viết dạng 2026-01-02, không có ngoặc kép)",
                       "Calendar decision file {file}, entry {entry}: '{value}' is not a date (write it as 2026-01-02, unquoted)"),
    "cal_bad_year": ("Tệp quyết định lịch {file}, mục {entry}: năm không hợp lệ «{value}»",
                     "Calendar decision file {file}, entry {entry}: invalid year '{value}'"),
    "cal_bad_text": ("Tệp quyết định lịch {file}, mục {entry}: «{key}» phải là chuỗi không rỗng",
                     "Calendar decision file {file}, entry {entry}: '{key}' must be a non-empty string"),
    "cal_conflict": ("Ngày {date} vừa là ngày nghỉ vừa là ngày làm việc: {file} mục {entry} mâu thuẫn với {other_file} mục {other_entry}",
                     "Date {date} is both a day off and a working day: {file} entry {entry} conflicts with {other_file} entry {other_entry}"),
    "cal_out_of_range": ("Tệp quyết định lịch {file}, mục {entry}: ngày {date} nằm ngoài khoảng {lo}–{hi}",
                         "Calendar decision file {file}, entry {entry}: date {date} is outside {lo}–{hi}"),
    "bad_year": ("Năm không hợp lệ: «{value}» (cần từ {lo} đến {hi})", "Invalid year: '{value}' (expected {lo} to {hi})"),
}


def render(code: str, lang: str = "vi", **params) -> str:
    vi, en = MESSAGES.get(code, (code, code))
    template = en if lang == "en" else vi
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def weekday_name(d, lang: str = "vi") -> str:
    return (WEEKDAYS_EN if lang == "en" else WEEKDAYS_VI)[d.weekday()]


def format_date(d) -> str:
    return d.strftime("%d/%m/%Y")
