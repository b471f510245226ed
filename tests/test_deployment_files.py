"""No Docker engine runs here, so the Dockerfile and compose.yaml are checked as text."""

import re

import yaml
from django.conf import settings

DOCKERFILE = (settings.BASE_DIR / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((settings.BASE_DIR / "compose.yaml").read_text())
GUNICORN_TIMEOUT = re.compile(r"--timeout\W+(\d+)")


def test_the_image_runs_gunicorn_as_a_non_root_user():
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert '"gunicorn", "intentscore.wsgi"' in DOCKERFILE
    assert "collectstatic" in DOCKERFILE


def test_compose_runs_web_on_a_healthy_postgres():
    web, db = COMPOSE["services"]["web"], COMPOSE["services"]["db"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert web["environment"]["DEBUG"] == "false"


def test_gunicorn_allows_long_scoring_requests_everywhere():
    timeouts = [int(t) for t in GUNICORN_TIMEOUT.findall(DOCKERFILE)]
    timeouts += [int(t) for t in GUNICORN_TIMEOUT.findall(COMPOSE["services"]["web"]["command"])]
    assert len(timeouts) == 2
    assert min(timeouts) > 30  # gunicorn's default, which killed the seed's /score/
