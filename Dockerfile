# syntax=docker/dockerfile:1
# Image for every long-running piece of the petitions stack (web, worker, beat) and the
# one-shot migration job; docker-compose.yml picks the command per service.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PETITIONS_VAR_DIR=/var/lib/petitions

WORKDIR /app

# LibreOffice Writer turns the official documents (DOCX) into PDF (engine/documents/pdf.py),
# with the Liberation fonts metric-compatible with Times New Roman (NĐ 30/2020's typeface).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-liberation \
 && rm -rf /var/lib/apt/lists/*

# Unprivileged runtime user; the var dir (SQLite fallback, celerybeat schedule) is its own.
RUN groupadd --system --gid 10001 petitions \
 && useradd --system --uid 10001 --gid petitions --home-dir /app --shell /usr/sbin/nologin petitions \
 && mkdir -p /var/lib/petitions \
 && chown petitions:petitions /var/lib/petitions

COPY . /app
RUN pip install --no-cache-dir . \
 && rm -rf /app/build

USER petitions

EXPOSE 8000

# slim has no curl: probe /healthz with the standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "web.wsgi:app"]
