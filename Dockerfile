# Container image of the monitor: `docker build -t venezuela-monitor .`
# Run: docker run -d --name monitor --stop-timeout 15 -v monitor-data:/app/data \
#        --log-opt max-size=10m --log-opt max-file=3 \
#        -v /etc/monitor:/etc/monitor:ro -e MONITOR_CONFIG=/etc/monitor/feeds.yaml \
#        -e TELEGRAM_BOT_TOKEN=... venezuela-monitor
# (mount the folder that holds feeds.yaml, not the file: `monitor feeds add` and editors
# replace the file, and a file mounted on its own never shows the container the change;
# --stop-timeout 15: the service stops within 12 s of SIGTERM, Docker kills it after 10 s by default;
# --log-opt: Docker's json-file log is otherwise never rotated and grows for as long as the container lives)
#
# The base image is pinned by version and digest (the multi-platform index of
# python:3.11.10-slim-bookworm). The digest was taken from a public, bot-maintained
# pin and could not be checked from the build machine (no registry access); a wrong
# or withdrawn digest makes the build fail loudly, never silently drift. To move to
# a newer patch release: `docker buildx imagetools inspect python:3.11.X-slim-bookworm`
# and copy its "Digest:" here (docs/OPERATIONS.md, "Running in a container (Docker)").
FROM python:3.11.10-slim-bookworm@sha256:5148c0e4bbb64271bca1d3322360ebf4bfb7564507ae32dd639322e4952a6b16

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# The service user owns nothing but /app/data (its home, the database, nothing else).
RUN useradd --system --no-create-home --home-dir /app/data --shell /usr/sbin/nologin monitor
WORKDIR /app

# Dependencies first, exactly as locked (hashes checked), so code edits reuse the layer.
COPY requirements-run.lock requirements-build.lock ./
RUN pip install --require-hashes --no-deps -r requirements-run.lock && pip check
# The build tools too (setuptools, wheel), so building the project below fetches nothing.
RUN pip install --require-hashes --no-deps -r requirements-build.lock

COPY pyproject.toml README.md ./
# The product only: devtools/ (emulator, feed server, demo), tests and bench stay out.
COPY core ./core
COPY monitor ./monitor
COPY alerts ./alerts
COPY storage ./storage
RUN pip install --no-deps --no-build-isolation . && rm -rf build ./*.egg-info
COPY feeds.yaml ./feeds.yaml

# /app and everything in it stay root's (read-only to the service); only the data
# directory is writable, and private to the service user.
RUN mkdir -p /app/data && chown monitor:monitor /app/data && chmod 0700 /app/data
USER monitor
VOLUME ["/app/data"]
# The health endpoint listens on loopback by default; inside a container bind it to all
# interfaces with settings.http_listen: 0.0.0.0:9108 and publish the port if you scrape it.
EXPOSE 9108
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=5s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:9108/healthz', timeout=4)" || exit 1
ENTRYPOINT ["monitor"]
CMD ["run", "--log-format", "json"]
