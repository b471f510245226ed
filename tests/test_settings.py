import os
import subprocess
import sys

from django.conf import settings
from dotenv import dotenv_values

from scoring.providers.llm import MISSING_SETTING_ERROR

IMPORT_SETTINGS = "import intentscore.settings as s; print(s.DATABASES['default']['ENGINE'])"
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "production-" + "k3y-" * 12,
    "ALLOWED_HOSTS": "scores.example.com",
}
# Variables of the machine or a developer's shell that would change what is being tested.
_ISOLATED = (
    "SECRET_KEY", "DATABASE_URL", "DEBUG", "ALLOW_ANONYMOUS_DEMO", "ALLOWED_HOSTS",
    "LLM_PROVIDER", "GEMINI_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL",
)  # fmt: skip


def run_python(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in _ISOLATED}
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def run_settings(**env):
    return run_python("-c", IMPORT_SETTINGS, **env)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false." in result.stderr


def test_production_starts_with_a_secret_key():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_production_refuses_the_anonymous_demo():
    result = run_settings(**PRODUCTION_ENV, ALLOW_ANONYMOUS_DEMO="true")
    assert result.returncode != 0
    assert "ALLOW_ANONYMOUS_DEMO=true is for the local demo" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_python(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_answers_errors_without_stack_traces():
    # A real request through the production middleware stack: unknown path and a crash.
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='intentscore.settings';"
        "django.setup();"
        "from django.test import Client; c = Client(raise_request_exception=False);"
        "r = c.get('/nope/', secure=True, HTTP_HOST='scores.example.com');"
        "print(r.status_code, r.content.decode())"
    )
    result = run_python("-c", script, **PRODUCTION_ENV)
    assert result.stdout.strip() == '404 {"error": "Not found."}', result.stderr


def test_database_url_selects_postgresql():
    result = run_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_sqlite_is_the_default_database():
    assert run_settings().stdout.strip() == "django.db.backends.sqlite3"


def test_env_example_as_it_stands_gives_a_working_configuration():
    example = dotenv_values(settings.BASE_DIR / ".env.example")
    result = run_settings(**{k: v for k, v in example.items() if v is not None})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_a_provider_named_without_its_key_stops_start_up_clearly():
    result = run_python("manage.py", "check", LLM_PROVIDER="openai", OPENAI_API_KEY="")
    assert result.returncode != 0
    assert MISSING_SETTING_ERROR.format(setting="OPENAI_API_KEY", provider="openai") in (
        result.stderr
    )
