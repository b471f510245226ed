"""The bound on POST /score/'s synchronous waits, and telling that a client hung up. Across
gunicorn workers, with Redis: tests/integration/test_sync_waits.py."""

import socket
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from scoring.leads.sync_waits import client_disconnected, sync_wait_slot


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SCORE_SYNC_MAX_WAITS_PER_ACCOUNT, settings.SCORE_SYNC_MAX_WAITS = 2, 3
    cache.clear()
    yield
    cache.clear()


def test_an_account_waits_at_most_its_limit_at_once():
    with sync_wait_slot(account_id=1) as first, sync_wait_slot(account_id=1) as second:
        with sync_wait_slot(account_id=1) as third:
            assert (first, second, third) == (True, True, False)
        with sync_wait_slot(account_id=2) as other_account:
            assert other_account


def test_all_accounts_together_wait_at_most_the_total():
    with sync_wait_slot(account_id=1), sync_wait_slot(account_id=1), sync_wait_slot(account_id=2):
        with sync_wait_slot(account_id=3) as fourth:
            assert not fourth


def test_a_slot_is_free_again_once_its_wait_is_over():
    for _ in range(5):
        with sync_wait_slot(account_id=1) as may_wait:
            assert may_wait


def test_a_refused_wait_takes_no_slot_from_anyone():
    with sync_wait_slot(account_id=1), sync_wait_slot(account_id=1):
        for _ in range(3):
            with sync_wait_slot(account_id=1) as refused:
                assert not refused
    with sync_wait_slot(account_id=2), sync_wait_slot(account_id=2), sync_wait_slot(account_id=3):
        pass  # all three of the total were free


def request_on(sock):
    return SimpleNamespace(META={} if sock is None else {"gunicorn.socket": sock})


def test_a_client_that_hung_up_is_told_from_one_still_there():
    server, client = socket.socketpair()
    with server:
        assert not client_disconnected(request_on(server))
        client.sendall(b"more")  # a pipelined request: still there
        assert not client_disconnected(request_on(server))
        client.close()
        server.recv(4)
        assert client_disconnected(request_on(server))


def test_a_closed_socket_counts_as_gone_and_no_socket_as_there():
    server, client = socket.socketpair()
    client.close()
    server.close()
    assert client_disconnected(request_on(server))
    assert not client_disconnected(request_on(None))
