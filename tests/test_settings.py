import os
import subprocess
import sys

from django.conf import settings

IMPORT_SETTINGS = "import intentscore.settings as s; print(s.DATABASES['default']['ENGINE'])"


def run_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-c", IMPORT_SETTINGS],
        cwd=settings.BASE_DIR,
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false." in result.stderr


def test_production_starts_with_a_secret_key():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_database_url_selects_postgresql():
    result = run_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_sqlite_is_the_default_database():
    assert run_settings().stdout.strip() == "django.db.backends.sqlite3"
