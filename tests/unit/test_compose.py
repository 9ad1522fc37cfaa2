"""Static checks of the container deployment files (Docker is not needed to run them).

docker-compose.yml is parsed with yaml.safe_load (YAML anchors / `<<` merge keys are
resolved by the loader, as Compose does), the Dockerfile and .env.example are read as text.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS = ROOT / "config" / "settings.py"

SERVICES = {"postgres", "redis", "migrate", "web", "worker", "scheduler", "beat"}
LONG_RUNNING = {"postgres", "redis", "web", "worker", "scheduler", "beat"}
APP_SERVICES = ("web", "worker", "scheduler", "beat")

ENV_VARS = [
    "DATABASE_URL",
    "BROKER_URL",
    "SECRET_KEY",
    "PETITIONS_CALENDAR_FILES",
    "PETITIONS_LANG",
    "PETITIONS_VAR_DIR",
    "PETITIONS_TICK_INTERVAL",
    "PETITIONS_RELAY_INTERVAL",
    "PETITIONS_REMINDER_TIME",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "MAIL_FROM",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PUBLIC_URL",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "POSTGRES_PASSWORD",
]
# Used by the postgres image only, so config/settings.py need not know it.
NOT_IN_SETTINGS = {"POSTGRES_PASSWORD"}

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|(^|_)KEY$", re.I)
PLACEHOLDER = re.compile(r"^(|change-?me|changeme|<[^>]*>|\.\.\.)$", re.I)
INTERPOLATION = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?[-?+])[^}]*)?\}$")
URL_CREDENTIALS = re.compile(r"://[^/:@\s]+:([^@\s]+)@")


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def compose() -> dict:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def command_text(service: dict) -> str:
    cmd = service.get("command", "")
    return " ".join(str(c) for c in cmd) if isinstance(cmd, list) else str(cmd)


def depends_on(service: dict) -> dict:
    deps = service.get("depends_on") or {}
    # The short list form carries no condition at all; treat it as such.
    return deps if isinstance(deps, dict) else {name: {} for name in deps}


def environment_items(service: dict) -> list[tuple[str, str]]:
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return [(str(k), "" if v is None else str(v)) for k, v in env.items()]
    items = []
    for entry in env:
        key, _, value = str(entry).partition("=")
        items.append((key, value))
    return items


def parse_env_file(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        assert "=" in line, f".env.example line is not KEY=value: {raw!r}"
        key, _, value = line.partition("=")
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export "):].strip()
        value = value.strip().strip("'\"")
        assert key not in values, f"{key} listed twice in .env.example"
        values[key] = value
    return values


def looks_like_real_secret(name: str, value: str) -> bool:
    """A secret-named variable must hold a placeholder; any URL must not embed a real password."""
    if SECRET_NAME.search(name) and not PLACEHOLDER.match(value):
        return True
    m = URL_CREDENTIALS.search(value)
    if m and not PLACEHOLDER.match(m.group(1)):
        return True
    return False


# --------------------------------------------------------------------------- compose


def test_all_services_exist(services):
    assert SERVICES <= set(services), f"missing services: {SERVICES - set(services)}"


@pytest.mark.parametrize("name", ["postgres", "redis"])
def test_datastores_have_healthcheck_and_named_volume(compose, services, name):
    svc = services[name]
    hc = svc.get("healthcheck") or {}
    assert hc.get("test") and not hc.get("disable"), f"{name} needs a healthcheck"
    volumes = svc.get("volumes") or []
    assert volumes, f"{name} needs a volume"
    named = set((compose.get("volumes") or {}).keys())
    sources = [
        (v.split(":", 1)[0] if isinstance(v, str) else v.get("source")) for v in volumes
    ]
    assert any(s in named for s in sources), f"{name} must persist to a named volume"


def test_postgres_image_and_pg_isready(services):
    svc = services["postgres"]
    assert str(svc["image"]).startswith("postgres:16")
    assert "pg_isready" in " ".join(map(str, svc["healthcheck"]["test"]))


def test_redis_image_ping_and_appendonly(services):
    svc = services["redis"]
    assert str(svc["image"]).startswith("redis:7")
    assert "redis-cli" in " ".join(map(str, svc["healthcheck"]["test"]))
    assert "ping" in " ".join(map(str, svc["healthcheck"]["test"]))
    assert re.search(r"--appendonly\s+yes\b", command_text(svc)), "redis must run with --appendonly yes"


def test_migrate_is_one_shot_db_upgrade(services):
    svc = services["migrate"]
    assert re.search(r"\bpetitions\s+db\s+upgrade\b", command_text(svc))
    # YAML 1.1 would read a bare `no` as False, which Compose rejects: it must be the string.
    assert svc.get("restart") == "no"
    assert depends_on(svc).get("postgres", {}).get("condition") == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_migrations_and_healthy_datastores(services, name):
    deps = depends_on(services[name])
    assert deps.get("migrate", {}).get("condition") == "service_completed_successfully"
    assert deps.get("redis", {}).get("condition") == "service_healthy"
    assert deps.get("postgres", {}).get("condition") == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES + ("migrate",))
def test_app_services_read_env_file(services, name):
    env_file = services[name].get("env_file")
    files = [env_file] if isinstance(env_file, (str, dict)) else list(env_file or [])
    paths = [f if isinstance(f, str) else f.get("path") for f in files]
    assert ".env" in paths or "./.env" in paths


def test_worker_and_beat_commands(services):
    assert re.search(r"\bpetitions\s+worker\s+-Q\s+dispatch\b", command_text(services["worker"]))
    # the relay and the tick have a consumer of their own (issue 13)
    assert re.search(r"\bpetitions\s+worker\s+-Q\s+scheduler\b", command_text(services["scheduler"]))
    assert re.search(r"\bpetitions\s+beat\b", command_text(services["beat"]))


def test_beat_has_exactly_one_replica(services):
    beat = services["beat"]
    replicas = (beat.get("deploy") or {}).get("replicas")
    assert replicas == 1, f"beat must run exactly one replica, got {replicas!r}"
    assert beat.get("scale", 1) == 1


def test_beat_single_replica_is_explained():
    lines = COMPOSE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if re.match(r"^  beat:\s*$", l))
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"^  \S", lines[i]) or re.match(r"^\S", lines[i])),
        len(lines),
    )
    assert any(l.strip().startswith("#") for l in lines[start:end]), "say why beat must stay at one replica"


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_long_running_services_restart(services, name):
    assert services[name].get("restart") in {"unless-stopped", "always", "on-failure"}


def test_web_runs_gunicorn_on_8000_with_healthz(services):
    web = services["web"]
    cmd = command_text(web)
    assert "gunicorn" in cmd and "web.wsgi:app" in cmd
    assert "0.0.0.0:8000" in cmd
    ports = [str(p) for p in web.get("ports") or []]
    assert any(p.split("/")[0].endswith(":8000") for p in ports)
    hc = web.get("healthcheck") or {}
    assert not hc.get("disable")
    assert "/healthz" in " ".join(map(str, hc.get("test") or []))


def test_no_literal_secrets_in_compose(services):
    offenders = []
    for name, svc in services.items():
        for key, value in environment_items(svc):
            if SECRET_NAME.search(key) and not INTERPOLATION.match(value):
                offenders.append(f"{name}.{key}={value!r}")
            m = URL_CREDENTIALS.search(value)
            if m and not INTERPOLATION.match(m.group(1)):
                offenders.append(f"{name}.{key} embeds a password in a URL")
    assert not offenders, "literal secrets in docker-compose.yml: " + ", ".join(offenders)


def test_secret_detector_catches_literals():
    """Guard the guard: the check above must reject a hard-coded password."""
    fake = {"environment": {"POSTGRES_PASSWORD": "hunter2", "DATABASE_URL": "postgresql://u:pw@db/x"}}
    bad = [k for k, v in environment_items(fake) if SECRET_NAME.search(k) and not INTERPOLATION.match(v)]
    assert bad == ["POSTGRES_PASSWORD"]
    assert URL_CREDENTIALS.search(fake["environment"]["DATABASE_URL"])
    assert INTERPOLATION.match("${POSTGRES_PASSWORD}")
    assert INTERPOLATION.match("${POSTGRES_PASSWORD:?required}")


# --------------------------------------------------------------------------- Dockerfile


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    # Join continuation lines so each instruction is one string.
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    return [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]


def _instructions(lines: list[str], keyword: str) -> list[str]:
    return [l.split(None, 1)[1] if " " in l else "" for l in lines if l.split(None, 1)[0].upper() == keyword]


def test_dockerfile_base_image(dockerfile):
    froms = _instructions(dockerfile, "FROM")
    assert froms and froms[-1].split()[0].startswith("python:3.11")


def test_dockerfile_installs_package(dockerfile):
    runs = " ".join(_instructions(dockerfile, "RUN"))
    assert re.search(r"pip install --no-cache-dir \.(\s|$)", runs)


def test_dockerfile_can_make_the_documents_pdf(dockerfile):
    """The image drafts official documents to PDF with LibreOffice (engine/documents/pdf.py): without
    it every 'PDF' button of a compose deployment would fail."""
    runs = " ".join(_instructions(dockerfile, "RUN"))
    assert re.search(r"apt-get install[^&]*libreoffice-writer", runs) and "fonts-liberation" in runs


def test_dockerfile_runs_as_non_root(dockerfile):
    users = _instructions(dockerfile, "USER")
    assert users, "Dockerfile must switch to a non-root USER"
    final = users[-1].split(":")[0].strip()
    assert final not in {"root", "0"}


def test_dockerfile_healthcheck_and_port(dockerfile):
    hcs = _instructions(dockerfile, "HEALTHCHECK")
    assert hcs and "/healthz" in hcs[-1] and "urllib" in hcs[-1]
    exposed = " ".join(_instructions(dockerfile, "EXPOSE")).split()
    assert any(p.split("/")[0] == "8000" for p in exposed)


# --------------------------------------------------------------------------- .env.example


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return parse_env_file(ENV_EXAMPLE.read_text(encoding="utf-8"))


def test_env_example_lists_every_variable(env_example):
    missing = [v for v in ENV_VARS if v not in env_example]
    assert not missing, f".env.example is missing {missing}"


def test_env_example_is_commented():
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert sum(1 for l in text.splitlines() if l.lstrip().startswith("#")) >= 10


def test_env_example_has_no_real_secrets(env_example):
    offenders = [k for k, v in env_example.items() if looks_like_real_secret(k, v)]
    assert not offenders, f"values in .env.example look like real secrets: {offenders}"


def test_env_example_secret_detector_can_fail():
    assert looks_like_real_secret("SECRET_KEY", "3f9a1c0e7b2d")
    assert looks_like_real_secret("DATABASE_URL", "postgresql+psycopg://petitions:s3cr3t@postgres:5432/petitions")
    assert not looks_like_real_secret("SECRET_KEY", "change-me")
    assert not looks_like_real_secret("DATABASE_URL", "postgresql+psycopg://petitions:change-me@postgres/p")


def test_env_example_variables_are_known_to_settings(env_example):
    settings_text = SETTINGS.read_text(encoding="utf-8")
    unknown = [
        k for k in env_example
        if k not in NOT_IN_SETTINGS and not re.search(rf"['\"]{re.escape(k)}['\"]", settings_text)
    ]
    assert not unknown, f"config/settings.py does not read {unknown}"


def test_env_example_urls_point_at_compose_services(env_example, services):
    assert "@postgres:5432/" in env_example["DATABASE_URL"]
    assert env_example["BROKER_URL"].startswith("redis://redis:6379/")
    assert env_example["PETITIONS_LANG"] in {"vi", "en"}
    assert env_example["LOG_FORMAT"] in {"text", "json"}
