"""An installed package must work with no manual step: the wheel carries the compiled
translation catalog, the calendar decisions, the templates and the migrations."""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_compiled_catalogs_and_data(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = tmp_path.glob("petitions-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "web/translations/vi/LC_MESSAGES/messages.mo" in names
    for needed in ("config/calendar/2026.toml", "config/workflow.toml", "config/import_template.csv",
                   "engine/persistence/migrations/env.py", "engine/persistence/migrations/versions/0001_initial_schema.py",
                   "notifications/templates/vi/due_soon.subject.txt", "web/templates/base.html"):
        assert needed in names, needed
    from babel.messages.mofile import read_mo
    import io
    catalog = read_mo(io.BytesIO(zipfile.ZipFile(wheel).read("web/translations/vi/LC_MESSAGES/messages.mo")))
    assert len(catalog) > 100 and catalog.get("Sign out") is not None
