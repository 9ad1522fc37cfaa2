"""Letters, complaints and denunciations from the command line (issue 17): register a
letter, classify it, accept it into a denunciation, accept that, refuse an extension past
its cap with one clear line, and show the case with its own workflow's words."""
from __future__ import annotations

from tests.integration.test_cli_lifecycle import cli_env, run, run_json  # noqa: F401 (the fixture)


def test_a_letter_becomes_a_denunciation_from_the_command_line(cli_env, tmp_path):  # noqa: F811
    env = cli_env
    run(env, "db", "upgrade")
    units = tmp_path / "units.csv"
    units.write_text("code,name,level,parent_code\nHT,Tỉnh Hà Tĩnh,province,\nKT,Xã Kỳ Thượng,commune,HT\n",
                     encoding="utf-8")
    run(env, "units", "load", str(units))
    for username, role in [("vanthu", "clerk"), ("bithu", "leader")]:
        run(env, "users", "add", "--username", username, "--role", role, "--unit", "KT", "--password-stdin",
            stdin="mat-khau-rat-dai\n")
    letter = run_json(env, "petition", "add", "--unit", "KT", "--workflow", "letter", "--channel", "post",
                      "--received-on", "2026-04-01", "--summary", "Tố cáo cán bộ địa chính", "--petitioner", "Lê Văn A",
                      "--by", "vanthu")
    assert (letter["workflow"], letter["clocks"][0]["due_date"]) == ("letter", "2026-04-15")
    out = run_json(env, "petition", "act", letter["code"], "classify", "--by", "vanthu", "--on", "2026-04-02",
                   "--field", "content=denunciation", "--field", "condition=eligible", "--field", "competent=yes")
    assert out["clocks"][0]["due_date"] == "2026-04-10"  # 7 working days for a denunciation
    out = run_json(env, "petition", "act", letter["code"], "accept", "--by", "vanthu", "--on", "2026-04-03")
    case = out["created"]
    out = run_json(env, "petition", "act", case, "accept", "--by", "bithu", "--on", "2026-04-01",
                   "--field", "decision_no=15/QĐ")
    assert {c["name"]: c["due_date"] for c in out["clocks"]} == {
        "denunciation_notice": "2026-04-08", "denunciation_resolution": "2026-05-04"}
    r = run(env, "petition", "act", case, "extend", "--by", "bithu", "--days", "10", "--reason", "x", ok=False)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "Điều 30.1" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    shown = run(env, "petition", "show", case).stdout
    assert "Giải quyết tố cáo" in shown and "Thụ lý từ đơn" in shown
    r = run(env, "petition", "act", case, "notify", "--by", "vanthu", "--field", "oops", ok=False)
    assert r.returncode == 2 and "Traceback" not in r.stderr
