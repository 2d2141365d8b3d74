# Production image of the InnerSource portal: gunicorn by default; the Celery worker and beat and the
# one-off migration run from the same image with another command (see docker-compose.yml).
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so that a code change reuses this layer: exactly the locked versions, checked
# against their hashes (requirements.lock is pyproject.toml's runtime dependencies, resolved by
# `make lock`). The code itself runs from /app.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .

# With SECRET_KEY set, DEBUG is off and the static files get whitenoise's compressed manifest.
# The key exists only for this command; it does not stay in the image.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret python manage.py collectstatic --noinput

# The code stays root-owned and read-only to the process; only var/ (uploaded media, beat schedule) is its.
RUN groupadd --system portal \
    && useradd --system --gid portal --create-home --home-dir /home/portal --shell /usr/sbin/nologin portal \
    && mkdir -p var/media \
    && chown portal:portal var var/media
USER portal

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
