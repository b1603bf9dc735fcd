# badgeline service image: the same image runs `init`, `web` and `worker` (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# DejaVu Sans: the badge PNG and the PDF certificate set any script with it (else Latin-1 fallbacks).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY issuer ./issuer
COPY pipeline ./pipeline
COPY verifier ./verifier
COPY templates ./templates
RUN pip install . && useradd --create-home --uid 10001 badgeline \
    && mkdir -p /data /keys && chown badgeline:badgeline /data /keys && chmod 0700 /keys
# Named volumes mounted at /data and /keys start as copies of these folders (owner included).
USER badgeline
EXPOSE 8000
ENTRYPOINT ["badgeline"]
