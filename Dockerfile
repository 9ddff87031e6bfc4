# Container image of the monitor: `docker build -t venezuela-monitor .`
# Run: docker run -d --name monitor -v monitor-data:/app/data \
#        -e TELEGRAM_BOT_TOKEN=... venezuela-monitor
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --system --create-home --home-dir /app monitor
WORKDIR /app

COPY pyproject.toml README.md ./
COPY monitor ./monitor
COPY alerts ./alerts
COPY storage ./storage
RUN pip install '.[postgres]'
COPY feeds.yaml ./feeds.yaml

RUN mkdir -p /app/data && chown monitor:monitor /app/data
USER monitor
VOLUME ["/app/data"]
# The health endpoint listens on loopback by default; inside a container bind it to all
# interfaces with settings.http_listen: 0.0.0.0:9108 and publish the port if you scrape it.
EXPOSE 9108
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=5s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:9108/healthz', timeout=4)" || exit 1
ENTRYPOINT ["monitor"]
CMD ["run", "--log-format", "json"]
