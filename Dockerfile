# statement-monitor: the daemon (`monitor run`) and, from the same image, the read-only
# SQL UI (Datasette, the `ui` extra). See docker-compose.yml and README "Deployment".
#
# Two stages: the builder creates a virtual environment and installs the project into
# it; the runtime stage copies only that environment. pip's wheel cache, build
# directories and any extra CA certificate used during the build stay in the builder.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# The project's metadata and code only (.dockerignore keeps out .git, .venv, archives
# and monitor.env). `.build-ca.pe[m]` matches nothing in a normal build; behind a
# TLS-intercepting proxy scripts/docker_smoke.sh puts the host's CA bundle there for
# the duration of the build. It exists in this stage only, never in the final image.
COPY pyproject.toml README.md .build-ca.pe[m] ./
COPY monitor ./monitor
COPY spiders ./spiders
# Same kind of command as CI (.ci/run: `python3 -m venv .venv && pip install -e '.[test]'`):
# a fresh venv and pip installing the project from its own metadata (pyproject.toml),
# here non-editable and with the `ui` extra (Datasette) instead of `test`.
RUN if [ -f .build-ca.pem ]; then export PIP_CERT=/src/.build-ca.pem; fi \
    && python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir '.[ui]' \
    && rm -f /src/.build-ca.pem

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="statement-monitor" \
      org.opencontainers.image.description="Archive Russian official statements, detect denials, match them to reports, alert analysts."
# Unprivileged user; the archive volume is created owned by it so that a fresh named
# volume inherits the ownership.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home monitor \
    && mkdir -p /app /data \
    && chown monitor:monitor /data
COPY --from=builder /opt/venv /opt/venv
# The default catalogue (also inside the installed package); MONITOR_SCHEDULES points here.
COPY monitor/schedules /app/schedules
COPY monitor/datasette /app/datasette
# Configuration is by environment only; secrets (APPRISE_URLS) come from the compose
# env_file at run time and are never baked into the image.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MONITOR_DB=/data/monitor.db \
    MONITOR_SCHEDULES=/app/schedules
WORKDIR /app
USER monitor
VOLUME ["/data"]
# Healthy = the archive opens and `monitor status` finds fresh crawls and no failed alerts.
HEALTHCHECK --interval=60s --timeout=30s --start-period=120s --retries=3 \
    CMD ["monitor", "status", "--check"]
ENTRYPOINT ["monitor"]
CMD ["run"]
