"""The `Idempotency-Key` header of the requests that store or start something: uploads and
scoring runs. A retry with the same key gets the first answer again (same status, body and
Location, and `Idempotent-Replayed: true`) and nothing is done twice; what the records
hold and when is scoring/leads/services/idempotency.py.

Only successful (2xx) answers are kept: a request that failed (a bad file, no offer, the
provider down) frees its key, and may be sent again with it once fixed.
"""

import hashlib
import json
import logging
from contextlib import nullcontext
from functools import partial

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import QueryDict
from django.utils.decorators import method_decorator
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from scoring.accounts.access import request_account
from scoring.core.exceptions import Conflict
from scoring.core.idempotency import IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER
from scoring.leads.api.runs import run_accepted_response
from scoring.leads.models import IdempotencyRecord
from scoring.leads.services.idempotency import (
    IDEMPOTENCY_IN_PROGRESS_ERROR,
    idempotency_answer_store,
    idempotency_claim,
    idempotency_claim_active,
    idempotency_release,
)

logger = logging.getLogger(__name__)

# The headers of an answer that its replays carry too (besides the body and status).
REPLAYED_ANSWER_HEADERS = ("Location",)
_READ_CHUNK_BYTES = 1024 * 1024


def _field_value(value):
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks(_READ_CHUNK_BYTES):
            digest.update(chunk)
        value.seek(0)  # the view reads it next
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    return value


def request_fingerprint(request) -> str:
    """SHA-256 of what the request asks: its query, and its JSON body or its form fields with
    each file's name, size and SHA-256 (a file is read once more for it, as a stream)."""
    data = request.data
    if isinstance(data, QueryDict):  # a form or multipart body
        data = {name: [_field_value(v) for v in values] for name, values in data.lists()}
    content = {"query": sorted(request.query_params.lists()), "data": data}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), cls=JSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()


_ENDPOINT_MAX_LENGTH = IdempotencyRecord._meta.get_field("endpoint").max_length


def _endpoint(request) -> str:
    # The seed's paths answer with or without their trailing slash: one endpoint either way.
    endpoint = f"{request.method} {request.path.rstrip('/')}/"
    if len(endpoint) > _ENDPOINT_MAX_LENGTH:  # a path of any length is one endpoint, stored
        digest = hashlib.sha256(endpoint.encode()).hexdigest()
        endpoint = f"{endpoint[: _ENDPOINT_MAX_LENGTH - len(digest) - 1]}#{digest}"
    return endpoint


def _replay(record) -> Response:
    headers = {**record.headers, REPLAYED_HEADER: "true"}
    body = record.body
    if isinstance(body, str):  # the JSON text of the first answer (see _stored_body)
        body = json.loads(body)
    return Response(body, status=record.status_code, headers=headers)


def _stored_body(response: Response) -> str:
    # The answer's JSON text, as the renderer writes it (datetimes as ISO strings...), kept
    # as one JSON string: PostgreSQL's jsonb would reorder an object's keys, and a replay
    # must be the first answer byte for byte.
    return json.dumps(response.data, cls=JSONEncoder)


def _store(record, response: Response) -> bool:
    headers = {name: response[name] for name in REPLAYED_ANSWER_HEADERS if name in response}
    return idempotency_answer_store(
        record=record,
        status_code=response.status_code,
        body=_stored_body(response),
        headers=headers,
    )


def _started_run_answer(request, record) -> Response:
    """The answer to a retry of a run start whose request died after starting the run: the
    run, to follow, as the first request would have answered once past its wait."""
    response = run_accepted_response(request, record.run)
    _store(record, response)
    return _replay(record)


def idempotent_answer(request, handler, *, atomic: bool) -> Response:
    """`handler()`'s answer, given once per Idempotency-Key; without the header, just that.
    `atomic`: the handler's writes and its stored answer commit together (an upload)."""
    key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
    if key is None:
        return handler()
    record = idempotency_claim(
        account=request_account(request),
        key=key,
        endpoint=_endpoint(request),
        fingerprint=request_fingerprint(request),
    )
    if record.status_code is not None:
        return _replay(record)
    if record.run_id is not None:
        return _started_run_answer(request, record)
    try:
        with (
            transaction.atomic() if atomic else nullcontext(),
            idempotency_claim_active(record=record),
        ):
            response = handler()
            if status.is_success(response.status_code) and not _store(record, response):
                if atomic:  # undo this upload: the request that took the key over answers
                    raise Conflict(IDEMPOTENCY_IN_PROGRESS_ERROR)
                logger.warning("idempotency key %r was taken over while in flight", key)
    except BaseException:
        idempotency_release(record=record)
        raise
    if not status.is_success(response.status_code):
        idempotency_release(record=record)
    return response


def idempotent(*, atomic: bool = False, name: str = ""):
    """A DRF view method's answers given once per Idempotency-Key (see idempotent_answer);
    with `name`, a class decorator for that method, which it leaves as it is written.
    The OpenAPI schema documents the header on such methods (scoring/core/openapi.py)."""

    def decorate(view_method):
        def answer(request, *args, **kwargs):
            handler = partial(view_method, request, *args, **kwargs)
            return idempotent_answer(request, handler, atomic=atomic)

        answer.idempotent = True
        return answer

    return method_decorator(decorate, name=name)
