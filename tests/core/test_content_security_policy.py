"""The Content-Security-Policy header: on every answer, and one that the admin, the API docs
and the browsable API work under (what their HTML loads and runs, it allows)."""

import base64
import hashlib
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from scoring.leads.lead_csv import EXPORT_HEADER
from tests.factories import CSV_HEADER, OfferFactory, csv_upload

pytestmark = pytest.mark.django_db

HEADER = "Content-Security-Policy"
DOCS_URL = "/api/docs/"


def policy_of(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response[HEADER].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


class _Page(HTMLParser):
    """What an HTML page loads and runs: script and stylesheet URLs, inline script and
    style elements, and inline event handler and style attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.stylesheets, self.images = [], [], []
        self.inline_scripts, self.inline_styles = [], []
        self.handlers, self.style_attributes = [], []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.style_attributes.append(attrs["style"])
        if tag == "script":
            # A data block (type="application/json") is never run: no policy applies to it.
            runs = attrs.get("type", "text/javascript") in ("text/javascript", "module")
            if "src" in attrs:
                self.scripts.append(attrs["src"])
            elif runs:
                self._open = ("script", "")
        elif tag == "style":
            self._open = ("style", "")
        elif tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
            self.stylesheets.append(attrs["href"])
        elif tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])

    def handle_data(self, data):
        if self._open:
            self._open = (self._open[0], self._open[1] + data)

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            kind, text = self._open
            (self.inline_scripts if kind == "script" else self.inline_styles).append(text)
            self._open = None


def parsed(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


def _same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def assert_runs_under_its_policy(response):
    """Every script the page runs and style it applies is one its own policy allows."""
    policy, page = policy_of(response), parsed(response)
    assert policy["script-src"] == ["'self'"]
    assert page.inline_scripts == [], "an inline script the policy blocks"
    assert page.handlers == [], "an inline event handler the policy blocks"
    assert all(_same_origin(url) for url in page.scripts + page.stylesheets + page.images)
    styles = policy["style-src"]
    if "'unsafe-inline'" not in styles:
        assert page.style_attributes == [], "a style attribute the policy blocks"
        for style in page.inline_styles:
            assert _sha256(style) in styles, "an inline style the policy blocks"
    return page


# --- On every answer ---------------------------------------------------------------------------


def test_api_answers_carry_the_policy_and_its_companions(api_client):
    response = api_client.get("/api/offers/")

    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/results/", 200),
        ("get", "/csv/", 200),
        ("get", "/api/leads/", 200),
        ("get", "/api/no-such-thing/", 404),
        ("get", "/admin/login/", 200),
        ("get", "/api/schema/", 200),
    ],
)
def test_every_kind_of_answer_carries_the_policy(api_client, method, path, status):
    response = getattr(api_client, method)(path)

    assert response.status_code == status
    assert policy_of(response)["script-src"] == ["'self'"]


def test_an_upload_refused_before_its_body_is_read_carries_the_policy(api_client, settings):
    settings.MAX_UPLOAD_MB = 0
    response = api_client.post(
        "/leads/upload/",
        {"csv_file": csv_upload(CSV_HEADER + "Ada,CTO,Engines,Software,London,x\n" * 50_000)},
        format="multipart",
    )

    assert response.status_code == 413
    assert HEADER in response


def test_a_csv_export_carries_the_policy(api_client):
    response = api_client.get("/csv/")

    assert b"".join(response.streaming_content).decode().startswith(",".join(EXPORT_HEADER))
    assert HEADER in response


# --- The API docs ------------------------------------------------------------------------------


def test_the_docs_page_runs_no_inline_script_and_its_one_inline_style_is_allowed(api_client):
    response = api_client.get(DOCS_URL)

    assert response.status_code == 200
    page = assert_runs_under_its_policy(response)
    assert len(page.inline_styles) == 1  # drf-spectacular's, allowed by its hash
    assert any("swagger-ui-bundle" in url for url in page.scripts)
    assert any("swagger-ui" in url and url.endswith(".css") for url in page.stylesheets)


def test_the_docs_pages_own_script_is_served_from_this_site(api_client):
    page = parsed(api_client.get(DOCS_URL))
    init_script = next(url for url in page.scripts if url.startswith(DOCS_URL))

    response = api_client.get(init_script)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in response.content
    # No online validator badge: the schema's URL is not sent to a third party.
    assert b'"validatorUrl": null' in response.content


def test_the_docs_assets_are_static_files_of_this_site(api_client):
    page = parsed(api_client.get(DOCS_URL))
    assets = [url for url in page.scripts + page.stylesheets if not url.startswith(DOCS_URL)]

    assert len(assets) == 3  # Swagger UI's bundle, preset and CSS, from the sidecar package
    for url in assets:
        # What collectstatic gathers and WhiteNoise serves: none is fetched from elsewhere.
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url


# --- The admin and the browsable API ---------------------------------------------------------


def test_the_admin_sign_in_page_runs_under_the_policy(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    page = assert_runs_under_its_policy(response)
    assert page.stylesheets  # the admin's own CSS, from /static/


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/scoring/lead/", "/admin/scoring/offer/{offer}/change/"],
)
def test_admin_pages_run_under_the_policy(admin_client, path):
    offer = OfferFactory()

    response = admin_client.get(path.format(offer=offer.pk))

    assert response.status_code == 200
    page = assert_runs_under_its_policy(response)
    assert page.scripts  # the admin's JavaScript, from /static/


def test_the_browsable_api_signs_out_without_an_inline_script(client, user):
    client.force_login(user)

    response = client.get("/api/offers/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert_runs_under_its_policy(response)
    # DRF's templates are made of style attributes: on these pages only, they may apply.
    assert policy_of(response)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert b'action="/api-auth/logout/?next=/api/offers/"' in response.content
    signed_out = client.post("/api-auth/logout/?next=/api/offers/")
    assert signed_out.status_code == 302
    assert client.get("/api/offers/", HTTP_ACCEPT="text/html").status_code in (401, 403)


def test_the_browsable_api_does_not_loosen_json_answers(api_client):
    response = api_client.get("/api/offers/")

    assert "'unsafe-inline'" not in policy_of(response)["style-src"]
