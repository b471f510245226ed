# IntentScore web image: gunicorn serving Django, static files through WhiteNoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings to load; the key is thrown away with this build step.
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 intentscore \
    && mkdir -p /app/data \
    && chown intentscore /app/data

USER intentscore
EXPOSE 8000
# --timeout: POST /score/ waits up to SCORE_SYNC_TIMEOUT (300 s) for its scoring run, so
# gunicorn's must be longer (330; compose.yaml's too), not its default 30 s. Workers: the
# same image with `celery -A intentscore worker` (see compose.yaml).
CMD ["gunicorn", "intentscore.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "330", "--access-logfile", "-"]
