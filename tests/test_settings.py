import json
import os
import subprocess
import sys

from django.conf import settings
from dotenv import dotenv_values

from scoring.core.apps import CACHE_UNREACHABLE_ERROR
from scoring.llm.remote import MISSING_SETTING_ERROR
from tests.llm_stub import unused_port

IMPORT_SETTINGS = "import intentscore.settings as s; print(s.DATABASES['default']['ENGINE'])"
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "production-" + "k3y-" * 12,
    "ALLOWED_HOSTS": "scores.example.com",
}
# Variables of the machine or a developer's shell that would change what is being tested.
_ISOLATED = (
    "SECRET_KEY", "DATABASE_URL", "DEBUG", "ALLOW_ANONYMOUS_DEMO", "ALLOWED_HOSTS",
    "LLM_PROVIDER", "GEMINI_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "LOG_FORMAT",
    "BACKEND_WEBHOOK_SECRET", "DATABASE_CONN_MAX_AGE", "EMAIL_URL",
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


CONNECTION_AGE = (
    "import intentscore.settings as s; d = s.DATABASES['default']; "
    "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


def test_web_workers_keep_their_database_connection_checked_unless_told_otherwise():
    assert run_python("-c", CONNECTION_AGE).stdout.split() == ["60", "True"]
    assert run_python("-c", CONNECTION_AGE, DATABASE_CONN_MAX_AGE="0").stdout.split()[0] == "0"
    url = "postgres://postgres@127.0.0.1:5432/test?conn_max_age=5"
    assert run_python("-c", CONNECTION_AGE, DATABASE_URL=url).stdout.split()[0] == "5"


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


LOG_FORMAT_OF = "import intentscore.settings as s; print(s.LOG_FORMAT)"


def test_logs_are_plain_for_the_web_app_and_json_for_the_consumer_and_workers():
    assert run_python("-c", LOG_FORMAT_OF, "runserver").stdout.strip() == "plain"
    for argv in (["consume_grading_tasks"], ["redeliver_webhooks"], ["redeliver_notifications"]):
        assert run_python("-c", LOG_FORMAT_OF, *argv).stdout.strip() == "json"
    assert run_python("-c", LOG_FORMAT_OF, "runserver", LOG_FORMAT="json").stdout.strip() == "json"
    assert (
        run_python("-c", LOG_FORMAT_OF, "consume_grading_tasks", LOG_FORMAT="plain").stdout.strip()
        == "plain"
    )


def test_an_unknown_log_format_stops_start_up():
    result = run_python("-c", LOG_FORMAT_OF, LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be json or plain, not 'xml'." in result.stderr


def test_json_log_lines_carry_the_seeds_fields():
    script = (
        "import django, logging; django.setup();"
        "logging.getLogger('scoring.conversations.services').info("
        "'Visitor scored successfully', extra={'task_id': 'task_123', 'visitor_id': 'visitor_456',"
        " 'score': 85, 'category': 'hot'})"
    )
    result = run_python(
        "-c", script, DJANGO_SETTINGS_MODULE="intentscore.settings", LOG_FORMAT="json"
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["level"] == "INFO"
    assert line["logger"] == "scoring.conversations.services"
    assert line["message"] == "Visitor scored successfully"
    assert (line["task_id"], line["visitor_id"], line["score"], line["category"]) == (
        "task_123", "visitor_456", 85, "hot"
    )  # fmt: skip
    assert line["timestamp"].startswith("20")


def test_json_log_lines_are_redacted_too():
    script = (
        "import django, logging; django.setup();"
        "logging.getLogger('x').warning('secret is %s', 'webhook-secret-value')"
    )
    result = run_python(
        "-c", script, DJANGO_SETTINGS_MODULE="intentscore.settings", LOG_FORMAT="json",
        BACKEND_WEBHOOK_SECRET="webhook-secret-value",
    )  # fmt: skip
    assert "webhook-secret-value" not in result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1])["message"] == "secret is [redacted]"


def test_a_cache_url_that_does_not_answer_stops_start_up_clearly():
    location = f"redis://127.0.0.1:{unused_port()}/1"
    result = run_python("manage.py", "check", CACHE_URL=location)

    assert result.returncode != 0
    assert CACHE_UNREACHABLE_ERROR.split(" ({location})")[0] in result.stderr
    assert location in result.stderr


EMAIL_SETTINGS = (
    "import intentscore.settings as s; "
    "print(s.EMAIL_BACKEND.rsplit('.', 2)[-2], s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
    "s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT)"
)


def test_mail_is_printed_on_the_console_unless_email_url_names_a_server():
    assert run_python("-c", EMAIL_SETTINGS).stdout.split()[0] == "console"
    url = "smtp+tls://alerts%40example.com:pa%3Ass@smtp.example.com"
    assert run_python("-c", EMAIL_SETTINGS, EMAIL_URL=url, NOTIFY_TIMEOUT="7").stdout.split() == [
        "smtp", "smtp.example.com", "587", "alerts@example.com", "pa:ss", "True", "False", "7.0"
    ]  # fmt: skip
    ssl = run_python("-c", EMAIL_SETTINGS, EMAIL_URL="smtp+ssl://mail.example.com:2465")
    assert ssl.stdout.split()[:3] == ["smtp", "mail.example.com", "2465"]
