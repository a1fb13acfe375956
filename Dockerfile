# One image; the web server and the worker differ only by command (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BRIDGE_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bridge ./bridge
COPY webhooks ./webhooks
COPY sandbox ./sandbox
RUN pip install . \
    && useradd --system --home /app bridge \
    && mkdir -p /data \
    && chown bridge /data

USER bridge
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"
CMD ["support-bridge", "serve", "--host", "0.0.0.0", "--port", "8080"]
