"""Bounding the synchronous waits of POST /score/: each holds a web worker until its run
finishes, so one account's large runs could otherwise hold them all.

A wait needs a slot of its account (SCORE_SYNC_MAX_WAITS_PER_ACCOUNT) and one of all
(SCORE_SYNC_MAX_WAITS). Slots are cache keys taken with `add` (atomic in Redis and in the
local-memory cache), so the count is shared by every web process on the same cache server
(CACHE_URL=redis://...; the default local-memory cache counts per process), and a slot whose
process was killed frees itself when its key expires.
"""

import select
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

SLOT_KEY = "score-sync-wait:{scope}:{slot}"
# A slot outlives the longest wait, so only a killed process leaves one to expire.
SLOT_GRACE_SECONDS = 60


def _slot_take(scope: str, limit: int, ttl: float) -> str | None:
    for slot in range(limit):
        key = SLOT_KEY.format(scope=scope, slot=slot)
        if cache.add(key, True, timeout=ttl):
            return key
    return None


@contextmanager
def sync_wait_slot(*, account_id: int) -> Iterator[bool]:
    """Whether the caller may wait for its run: True while it holds a slot of its account
    and one of all, released on leaving; False when either is full."""
    ttl = settings.SCORE_SYNC_TIMEOUT + SLOT_GRACE_SECONDS
    taken = []
    scopes = [
        (f"account-{account_id}", settings.SCORE_SYNC_MAX_WAITS_PER_ACCOUNT),
        ("all", settings.SCORE_SYNC_MAX_WAITS),
    ]
    for scope, limit in scopes:
        key = _slot_take(scope, limit, ttl)
        if key is None:
            break
        taken.append(key)
    try:
        yield len(taken) == len(scopes)
    finally:
        if taken:
            cache.delete_many(taken)


def client_disconnected(request) -> bool:
    """Whether the client has closed its connection, where the server tells: gunicorn puts
    the client's socket in the WSGI environ; having read the whole request, the socket turns
    readable with no data once the client hangs up. Other servers: never known (False)."""
    sock = request.META.get("gunicorn.socket")
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):  # reset by the peer, or already closed
        return True
