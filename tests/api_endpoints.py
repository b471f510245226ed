"""Every endpoint, with a request body for each, shared by the access and isolation tests."""

import re

from scoring.accounts.models import Account, AuditEvent, Membership
from scoring.conversations.models import Bot, ConversationGrade
from scoring.leads.models import Lead, LeadUpload, Offer, Score
from tests.conversation_tasks import SEED_TASK
from tests.factories import CSV_HEADER, SEED_OFFER, csv_upload

# (method, path, body kind, status when allowed); {offer} etc. are filled with real ids.
ENDPOINTS = [
    ("post", "/product/offer/", "offer", 201),
    ("post", "/leads/upload/", "csv", 201),
    ("post", "/score/", "empty", 200),
    ("get", "/results/", None, 200),
    ("get", "/csv/", None, 200),
    ("get", "/leads/template.csv", None, 200),
    ("get", "/api/offers/", None, 200),
    ("post", "/api/offers/", "offer", 201),
    ("get", "/api/offers/{offer}/", None, 200),
    ("put", "/api/offers/{offer}/", "offer", 200),
    ("patch", "/api/offers/{offer}/", "offer_patch", 200),
    ("delete", "/api/offers/{offer}/", None, 204),
    ("post", "/api/offers/{offer}/score/", "rescore", 200),
    ("get", "/api/uploads/", None, 200),
    ("post", "/api/uploads/", "csv", 201),
    ("get", "/api/uploads/{upload}/", None, 200),
    ("delete", "/api/uploads/{upload}/", None, 204),
    ("get", "/api/leads/", None, 200),
    ("get", "/api/leads/{lead}/", None, 200),
    ("delete", "/api/leads/{lead}/", None, 204),
    ("get", "/api/scores/", None, 200),
    ("get", "/api/scores/export/", None, 200),
    ("get", "/api/scores/{score}/", None, 200),
    ("get", "/api/runs/", None, 200),
    ("post", "/api/runs/", "run", 202),
    ("get", "/api/runs/{run}/", None, 200),
    ("post", "/api/runs/{run}/cancel/", None, 200),
    ("post", "/api/conversations/grade/", "task", 200),
    ("get", "/api/conversations/", None, 200),
    ("get", "/api/conversations/{grade}/", None, 200),
]
DETAIL_ENDPOINTS = [endpoint for endpoint in ENDPOINTS if "{" in endpoint[1]]


def endpoint_ids(endpoints):
    return [f"{method.upper()} {path}" for method, path, _, _ in endpoints]


def csv_text(count, name="Lead"):
    return CSV_HEADER + "".join(
        f"{name} {i},CEO,Company {i},SaaS,Berlin,Wants analytics\n" for i in range(count)
    )


def request_body(kind):
    """A fresh request body (an uploaded file can be read only once)."""
    bodies = {
        "offer": lambda: {"data": SEED_OFFER, "format": "json"},
        "offer_patch": lambda: {"data": {"name": "Renamed"}, "format": "json"},
        "rescore": lambda: {"data": {"rescore": True}, "format": "json"},
        "empty": lambda: {"data": {}, "format": "json"},
        # The offer is filled in by call() from the ids it is given, like a path.
        "run": lambda: {"data": {"offer": "{offer}"}, "format": "json"},
        # The seed's example task, for the caller's bot (its bot_id, filled in likewise).
        "task": lambda: {
            "data": {**SEED_TASK, "task_id": "endpoint-task", "bot_id": "{bot}"},
            "format": "json",
        },
        "csv": lambda: {"data": {"csv_file": csv_upload(csv_text(2))}, "format": "multipart"},
    }
    return bodies[kind]() if kind else {}


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def object_ids(objects):
    """{name: id} of these objects, for paths and bodies; a bot's is its bot_id."""
    return {name: obj.bot_id if isinstance(obj, Bot) else obj.id for name, obj in objects.items()}


def call(client, method, path, body=None, *, ids=None, **extra):
    """The request; with ids, "{offer}"-style values in a JSON body are filled in too."""
    kwargs = request_body(body)
    if ids and isinstance(kwargs.get("data"), dict) and kwargs.get("format") == "json":
        kwargs["data"] = {
            key: ids[match[1]]
            if isinstance(value, str) and (match := _PLACEHOLDER.fullmatch(value))
            else value
            for key, value in kwargs["data"].items()
        }
    return getattr(client, method)(path, **kwargs, **extra)


def fill_path(path, ids):
    """path with {offer}, {upload}... replaced by ids[name]."""
    return path.format(**ids)


def snapshot():
    """Every stored row, so a refused request can be shown to have changed nothing (API
    keys aside: using one updates its last_used_at)."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            Account,
            Offer,
            LeadUpload,
            Lead,
            Score,
            AuditEvent,
            Membership,
            Bot,
            ConversationGrade,
        )
    }
