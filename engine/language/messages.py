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
    # lookups
    "unknown_unit": ("Không tìm thấy đơn vị «{code}»", "Unknown unit '{code}'"),
    "unknown_user": ("Không tìm thấy người dùng «{username}»", "Unknown user '{username}'"),
    "unknown_session": ("Không tìm thấy buổi tiếp/đối thoại số {id}", "Unknown session {id}"),
    "unknown_petition": ("Không tìm thấy đơn «{code}» (hoặc ngoài phạm vi được xem)",
                         "Unknown petition '{code}' (or outside your scope)"),
    "unknown_outbox": ("Không tìm thấy thông báo số {id}", "Unknown notification {id}"),
    "bad_choice": ("Giá trị «{value}» không hợp lệ cho {field}; chọn một trong: {choices}",
                   "Invalid value '{value}' for {field}; choose one of: {choices}"),
    "missing_field": ("Thiếu thông tin bắt buộc: {field}", "Missing required field: {field}"),
    "empty_field": ("{field} không được để trống", "{field} must not be empty"),
    "one_of_fields": ("Cần đúng một trong các thông tin: {fields}", "Give exactly one of: {fields}"),
    "unexpected_field": ("Thao tác «{action}» không dùng thông tin {field}", "Action '{action}' does not take {field}"),
    "both_on_and_at": ("Chỉ dùng một trong --on hoặc --at", "Use either --on or --at, not both"),
    "negative_count": ("{field} phải là số không âm", "{field} must not be negative"),
    "count_too_large": ("{field} quá lớn (tối đa {max})", "{field} is too large (at most {max})"),
    "too_long": ("{field} quá dài: {n} ký tự (tối đa {max})", "{field} is too long: {n} characters (at most {max})"),
    "bad_email": ("Địa chỉ e-mail không hợp lệ «{value}» ({field})", "Invalid e-mail address '{value}' ({field})"),
    "receiving_unit_department": ("«{code}» là phòng ban: đơn được tiếp nhận tại đơn vị (xã, tỉnh), không tại phòng ban",
                                  "'{code}' is a department: petitions are received by a unit (commune, province), not a department"),
    "role_cannot_receive": ("Người dùng «{username}» (vai trò «{role}») không được ghi nhận tiếp nhận đơn",
                            "User '{username}' (role '{role}') may not record a petition as received"),
    "out_of_scope_receive": ("Người dùng «{username}» không được tiếp nhận đơn cho đơn vị {unit} (ngoài đơn vị của mình)",
                             "User '{username}' may not receive petitions for unit {unit} (not their unit)"),
    # workflow
    "unknown_action": ("Thao tác không hợp lệ «{action}»; các thao tác: {choices}",
                       "Unknown action '{action}'; actions: {choices}"),
    "role_cannot": ("Vai trò «{role}» không được thực hiện thao tác «{action}»",
                    "Role '{role}' may not take the action '{action}'"),
    "out_of_scope": ("Người dùng «{username}» không được thao tác trên đơn {code} (ngoài phạm vi đơn vị hoặc không được giao)",
                     "User '{username}' may not act on {code} (outside their unit or not assigned to them)"),
    "illegal_transition": ("Không thể «{action}» đơn {code} ở trạng thái «{state}»; thao tác hợp lệ lúc này: {allowed}",
                           "Cannot '{action}' petition {code} in state '{state}'; allowed now: {allowed}"),
    "version_conflict": ("Đơn {code} vừa được người khác cập nhật (phiên bản {actual}, bạn đang xem {expected}); hãy tải lại và thử lại",
                         "Petition {code} was just changed by someone else (version {actual}, you had {expected}); reload and try again"),
    "date_before_receipt": ("Ngày thao tác {date} trước ngày tiếp nhận {received}",
                            "The action date {date} is before the date of receipt {received}"),
    "date_in_future": ("Ngày {date} ở tương lai", "The date {date} is in the future"),
    "extend_not_later": ("Hạn mới {until} phải sau hạn hiện tại {due}", "The new due date {until} must be after the current one {due}"),
    "extend_days_positive": ("Số ngày gia hạn phải lớn hơn 0 (nhận được {n})", "Extension days must be more than 0 (got {n})"),
    "no_parent_unit": ("Đơn vị «{code}» không có cấp trên để báo cáo", "Unit '{code}' has no higher level to escalate to"),
    "not_a_department": ("«{code}» không phải là phòng ban thuộc đơn vị {unit}", "'{code}' is not a department of unit {unit}"),
    "session_other_unit": ("Buổi tiếp số {id} thuộc đơn vị khác", "Session {id} belongs to another unit"),
    # planning sessions (issue 14)
    "bad_time": ("Giờ không hợp lệ ở {field}: «{value}» (cần dạng HH:MM, ví dụ 07:30)",
                 "Invalid time in {field}: '{value}' (expected HH:MM, e.g. 07:30)"),
    "ends_before_starts": ("Giờ kết thúc {ends} phải sau giờ bắt đầu {starts}", "The end time {ends} must be after the start {starts}"),
    "planned_in_past": ("Ngày {date} đã qua: không thể lên lịch cho ngày đã qua; nếu buổi đã diễn ra, hãy ghi nhận là đã tổ chức",
                        "The date {date} has passed: a session cannot be planned in the past; if it took place, record it as held"),
    "session_not_planned": ("Buổi số {id} không còn ở trạng thái dự kiến (hiện: {status})",
                            "Session {id} is no longer planned (now: {status})"),
    "session_no_change": ("Buổi số {id}: ngày, giờ và địa điểm mới giống lịch hiện tại", "Session {id}: the new date, hours and place are the same as now"),
    "session_changed": ("Buổi số {id} vừa được người khác cập nhật; hãy tải lại và thử lại",
                        "Session {id} was just changed by someone else; reload and try again"),
    "session_role": ("Vai trò «{role}» không được lập hoặc sửa lịch tiếp dân", "Role '{role}' may not plan or change sessions"),
    "session_out_of_scope": ("Người dùng «{username}» không được lập lịch cho đơn vị {unit}",
                             "User '{username}' may not plan sessions for unit {unit}"),
    "chair_double_booked": ("Lưu ý: {chair} đã có buổi khác ngày {date} ({hours}, {unit}, buổi số {id})",
                            "Note: {chair} already has another session on {date} ({hours}, {unit}, session {id})"),
    "bad_period": ("Kỳ không hợp lệ: «{value}» (cần tháng YYYY-MM hoặc năm YYYY)", "Invalid period '{value}' (expected a month YYYY-MM or a year YYYY)"),
    "nothing_to_publish": ("Kỳ {period} không có buổi dự kiến nào để công bố", "Period {period} has no planned session to publish"),
    "bad_label_code": ("Mã «{value}» không hợp lệ (chỉ chữ thường không dấu, số, gạch dưới; tối đa 32 ký tự)",
                       "Invalid code '{value}' (lower-case letters, digits and underscores, at most 32)"),
    "bad_month": ("Tháng không hợp lệ: «{value}» (1–12)", "Invalid month '{value}' (1–12)"),
    "inactive_user": ("Người dùng «{username}» đã bị khoá", "User '{username}' is disabled"),
    # units, users, files
    "csv_unreadable": ("Không đọc được tệp {file}: {error}", "Cannot read {file}: {error}"),
    "csv_columns": ("Tệp {file}: thiếu cột {columns}", "File {file}: missing columns {columns}"),
    "csv_line": ("Tệp {file}, dòng {line}: {error}", "File {file}, line {line}: {error}"),
    "duplicate_code": ("mã «{code}» xuất hiện hai lần", "code '{code}' appears twice"),
    "unit_cycle": ("đơn vị «{code}» tạo thành vòng lặp cấp trên", "unit '{code}' makes a parent cycle"),
    "duplicate_username": ("Tên đăng nhập «{username}» đã tồn tại", "Username '{username}' already exists"),
    "weak_password": ("Mật khẩu phải có ít nhất 10 ký tự", "The password must be at least 10 characters"),
    "user_no_change": ("Không có gì để đổi cho người dùng «{username}» (cần --role hoặc --unit)",
                       "Nothing to change for user '{username}' (give --role or --unit)"),
    # the signing key (start-up checks)
    "secret_key_missing": ("Chưa đặt SECRET_KEY: ở chế độ production ({why}) phải đặt một khoá ngẫu nhiên dài ít nhất 32 byte, "
                           "ví dụ python -c \"import secrets; print(secrets.token_urlsafe(48))\"",
                           "SECRET_KEY is not set: in production ({why}) set a random key of at least 32 bytes, "
                           "e.g. python -c \"import secrets; print(secrets.token_urlsafe(48))\""),
    "secret_key_short": ("SECRET_KEY quá ngắn ({n} byte): ở chế độ production ({why}) cần một khoá ngẫu nhiên dài ít nhất 32 byte",
                         "SECRET_KEY is too short ({n} bytes): in production ({why}) it must be a random key of at least 32 bytes"),
    "secret_key_placeholder": ("SECRET_KEY đang là giá trị mẫu (như trong .env.example), ai cũng biết: ở chế độ production ({why}) "
                               "hãy thay bằng một khoá ngẫu nhiên dài ít nhất 32 byte",
                               "SECRET_KEY is a placeholder (like the one in .env.example) that anyone knows: in production ({why}) "
                               "replace it with a random key of at least 32 bytes"),
    "secret_key_file_bad": ("Tệp khoá {file} rỗng hoặc quá ngắn: xoá tệp để tạo khoá mới, hoặc đặt SECRET_KEY",
                            "The key file {file} is empty or too short: delete it to generate a new key, or set SECRET_KEY"),
    "secret_key_file_unreadable": ("Không đọc được tệp khoá {file} ({error}): sửa quyền của tệp, hoặc đặt SECRET_KEY",
                                   "Cannot read the key file {file} ({error}): fix its permissions, or set SECRET_KEY"),
    # the audit log (engine.persistence.eventlog, auditkey): its key and what verification finds
    "audit_key_missing": ("Chưa đặt PETITIONS_AUDIT_KEY: ở chế độ production ({why}) phải đặt một khoá ngẫu nhiên dài ít nhất 32 byte, "
                          "khác SECRET_KEY, ví dụ python -c \"import secrets; print(secrets.token_urlsafe(48))\"",
                          "PETITIONS_AUDIT_KEY is not set: in production ({why}) set a random key of at least 32 bytes, other than "
                          "SECRET_KEY, e.g. python -c \"import secrets; print(secrets.token_urlsafe(48))\""),
    "audit_key_short": ("PETITIONS_AUDIT_KEY quá ngắn ({n} byte): ở chế độ production ({why}) cần ít nhất 32 byte",
                        "PETITIONS_AUDIT_KEY is too short ({n} bytes): in production ({why}) it must be at least 32 bytes"),
    "audit_key_placeholder": ("PETITIONS_AUDIT_KEY đang là giá trị mẫu, ai cũng biết: ở chế độ production ({why}) hãy thay bằng một khoá ngẫu nhiên",
                              "PETITIONS_AUDIT_KEY is a placeholder that anyone knows: in production ({why}) replace it with a random key"),
    "audit_key_same_as_secret": ("PETITIONS_AUDIT_KEY trùng SECRET_KEY: ở chế độ production ({why}) hai khoá phải khác nhau",
                                 "PETITIONS_AUDIT_KEY equals SECRET_KEY: in production ({why}) the two keys must differ"),
    "audit_key_file_bad": ("Tệp khoá nhật ký {file} rỗng hoặc quá ngắn: khôi phục tệp từ bản sao lưu, hoặc đặt PETITIONS_AUDIT_KEY",
                           "The audit key file {file} is empty or too short: restore it from a backup, or set PETITIONS_AUDIT_KEY"),
    "audit_key_file_unreadable": ("Không đọc/ghi được tệp khoá nhật ký {file} ({error}): sửa quyền, hoặc đặt PETITIONS_AUDIT_KEY",
                                  "Cannot read or write the audit key file {file} ({error}): fix its permissions, or set PETITIONS_AUDIT_KEY"),
    "audit_event_missing": ("{code}: thiếu sự kiện #{seq} (gặp #{found}): nhật ký bị xoá hoặc đảo thứ tự",
                            "{code}: event #{seq} is missing (found #{found}): the log was deleted from or reordered"),
    "audit_event_unlinked": ("{code}: sự kiện #{seq} không nối tiếp mã băm của sự kiện trước",
                             "{code}: event #{seq} does not follow the previous event's hash"),
    "audit_event_altered": ("{code}: sự kiện #{seq} ({action}) đã bị sửa sau khi ghi (mã khoá không khớp)",
                            "{code}: event #{seq} ({action}) was altered after it was written (its keyed hash does not match)"),
    "audit_no_events": ("{code}: đơn không có sự kiện nào trong nhật ký", "{code}: the case has no events in its log"),
    "audit_head_missing": ("{code}: thiếu bản ghi đầu chuỗi (event_heads): không chứng minh được nhật ký còn đủ",
                           "{code}: the head record (event_heads) is missing: the log cannot be shown to be complete"),
    "audit_head_forged": ("{code}: bản ghi đầu chuỗi đã bị sửa (mã khoá không khớp)",
                          "{code}: the head record was edited (its keyed MAC does not match)"),
    "audit_head_other_key": ("{code}: bản ghi đầu chuỗi được ký bằng khoá khác ({key_id}): kiểm tra PETITIONS_AUDIT_KEY",
                             "{code}: the head record was sealed with another key ({key_id}): check PETITIONS_AUDIT_KEY"),
    "audit_head_code": ("{code}: mã đơn đã bị đổi (khi ghi là {sealed})", "{code}: the case code was changed (it was {sealed})"),
    "audit_events_truncated": ("{code}: các sự kiện cuối đã bị xoá (đầu chuỗi ghi sự kiện #{seq}, nhật ký chỉ còn đến #{last})",
                               "{code}: its last events were deleted (the head records event #{seq}, the log ends at #{last})"),
    "audit_events_after_head": ("{code}: nhật ký không khớp đầu chuỗi (đầu chuỗi ghi #{seq}, nhật ký kết thúc ở #{last})",
                                "{code}: the log does not match its head (the head records #{seq}, the log ends at #{last})"),
    "audit_field_changed": ("{code}: {field} đã bị sửa ngoài ứng dụng: hiện là «{now}», khi ghi là «{sealed}»",
                            "{code}: {field} was changed outside the application: now '{now}', when written '{sealed}'"),
    "audit_clocks_changed": ("{code}: số thời hạn đã bị sửa: hiện có {now}, khi ghi có {sealed}",
                             "{code}: the clocks were changed: {now} now, {sealed} when written"),
    "audit_clock_field_changed": ("{code}: thời hạn «{clock}», {field} đã bị sửa ngoài ứng dụng: hiện là «{now}», khi ghi là «{sealed}»",
                                  "{code}: clock '{clock}', {field} was changed outside the application: now '{now}', when written '{sealed}'"),
    "audit_replay_state": ("{code}: trạng thái hiện là «{now}» nhưng nhật ký ghi «{events}»",
                           "{code}: the state is '{now}' but the log records '{events}'"),
    "audit_replay_field": ("{code}: {field} hiện là «{now}» nhưng nhật ký ghi «{events}»",
                           "{code}: {field} is '{now}' but the log records '{events}'"),
    "audit_replay_clock_missing": ("{code}: thiếu thời hạn «{clock}» mà nhật ký ghi", "{code}: the clock '{clock}' the log records is missing"),
    "audit_replay_clock": ("{code}: thời hạn «{clock}», {field} hiện là {now} nhưng nhật ký ghi {events}",
                           "{code}: clock '{clock}', {field} is {now} but the log records {events}"),
    "audit_clock_verdict": ("{code}: thời hạn «{clock}» ghi «{status}» nhưng dừng ngày {stopped}, hạn {due}",
                            "{code}: clock '{clock}' says '{status}' but stopped on {stopped}, due {due}"),
    "audit_case_missing": ("{code}: đơn đã bị xoá (mã đơn liên tục nhưng thiếu mã này)",
                           "{code}: the case was deleted (codes are gapless but this one is missing)"),
    "audit_case_deleted": ("{code}: đơn đã bị xoá (đầu chuỗi của đơn vẫn còn)",
                           "{code}: the case was deleted (its head record remains)"),
    "audit_checkpoint_broken": ("Điểm kiểm chứng #{seq} đã bị sửa, xoá hoặc chèn (chuỗi mã khoá không khớp)",
                                "Checkpoint #{seq} was edited, deleted or inserted (its keyed chain does not match)"),
    "audit_cases_fewer": ("Đơn vị {unit}: điểm kiểm chứng #{seq} ngày {date} đếm {then} đơn, nay còn {now}: có đơn đã bị xoá",
                          "Unit {unit}: checkpoint #{seq} of {date} counted {then} cases, {now} now: cases were deleted"),
    "audit_events_fewer": ("Đơn vị {unit}: điểm kiểm chứng #{seq} ngày {date} đếm {then} sự kiện, nay còn {now}: nhật ký đã bị xoá bớt",
                           "Unit {unit}: checkpoint #{seq} of {date} counted {then} events, {now} now: events were deleted"),
    # reports and import
    "bad_period": ("Khoảng thời gian không hợp lệ: từ {start} đến {end} (ngày bắt đầu phải không sau ngày kết thúc)",
                   "Invalid period: {start} to {end} (the start must not be after the end)"),
    "bad_period_kind": ("Kỳ báo cáo không hợp lệ «{value}»; chọn một trong: {choices}",
                        "Invalid reporting period '{value}'; choose one of: {choices}"),
    "bad_report_bucket": ("Ô số liệu không hợp lệ «{value}»; chọn một trong: {choices}",
                          "Invalid figure '{value}'; choose one of: {choices}"),
    "bad_format": ("Định dạng không hợp lệ «{value}»; chọn một trong: {choices}",
                   "Invalid format '{value}'; choose one of: {choices}"),
    "import_unreadable": ("Không đọc được tệp {file}: {error}", "Cannot read {file}: {error}"),
    "import_bad_type": ("Tệp {file}: chỉ nhận .xlsx hoặc .csv", "File {file}: only .xlsx or .csv are accepted"),
    "import_no_header": ("Tệp {file}: không có dòng tiêu đề", "File {file}: no header row"),
    "import_missing_columns": ("Tệp {file}: thiếu cột {columns}", "File {file}: missing columns {columns}"),
    "import_unknown_column": ("Tệp {file}: cột không nhận ra «{column}»", "File {file}: unknown column '{column}'"),
    "import_rejected": ("Tệp {file}: {n} dòng bị từ chối, không nạp dòng nào (dùng --skip-invalid để nạp các dòng hợp lệ)",
                        "File {file}: {n} rows rejected, nothing loaded (use --skip-invalid to load the valid rows)"),
    "import_unknown_record": ("không rõ là buổi tiếp hay đơn: ghi «loại bản ghi», hoặc điền «nội dung» (đơn) hay «hình thức», «số lượt người» (buổi tiếp)",
                              "cannot tell a session from a petition: fill 'record', or 'summary' (petition) or 'session_kind', 'people' (session)"),
    "import_bad_record": ("loại bản ghi «{value}» không hợp lệ (cần «đơn» hoặc «buổi tiếp»)",
                          "invalid record type '{value}' (expected 'petition' or 'session')"),
    "import_bad_bool": ("«{value}» không phải có/không ({field})", "'{value}' is not yes/no ({field})"),
    "import_unknown_session_ref": ("không tìm thấy buổi tiếp có mã «{ref}»", "no session with reference '{ref}'"),
    "demo_production": ("Không nạp dữ liệu mẫu: máy chủ được cấu hình là môi trường thật (PETITIONS_ENV=production hoặc PUBLIC_URL https); "
                        "dữ liệu mẫu tạo tài khoản (kể cả admin) với mật khẩu công khai. Chỉ khi thật sự muốn: --force-demo-data-with-known-passwords",
                        "Not loading the demo: this is configured as production (PETITIONS_ENV=production or an https PUBLIC_URL); "
                        "the demo creates users (admin among them) with a published password. Only if you mean it: --force-demo-data-with-known-passwords"),
    "demo_not_empty": ("Không nạp dữ liệu mẫu: cơ sở dữ liệu đã có đơn vị hoặc người dùng; dữ liệu mẫu tạo tài khoản (kể cả admin) "
                       "với mật khẩu công khai. Chỉ khi thật sự muốn: --force-demo-data-with-known-passwords",
                       "Not loading the demo: the database already has units or users; the demo creates users (admin among them) "
                       "with a published password. Only if you mean it: --force-demo-data-with-known-passwords"),
    "import_needs_by": ("Cần --by (người dùng thực hiện thao tác) để nạp tiến trình xử lý đơn",
                        "--by (the user recorded as acting) is needed to load petition progress"),
}


def render(msg_code: str, lang: str = "vi", /, **params) -> str:
    vi, en = MESSAGES.get(msg_code, (msg_code, msg_code))
    template = en if lang == "en" else vi
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def weekday_name(d, lang: str = "vi") -> str:
    return (WEEKDAYS_EN if lang == "en" else WEEKDAYS_VI)[d.weekday()]


def format_date(d) -> str:
    return d.strftime("%d/%m/%Y")
