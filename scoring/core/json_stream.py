"""A JSON list too long to hold in memory, written a block of items at a time: byte for byte
what DRF's JSONRenderer writes for the same list with this project's settings (compact,
UTF-8 rather than \\u escapes, U+2028 and U+2029 escaped), through orjson, which encodes a
block of plain dicts many times faster than the standard library.

Only for items of str, int, bool, None and UTC datetime values (naive ones taken for UTC),
and lists and dicts of them: orjson writes a float differently (1e-05 is 1e-5), and a time
in another zone with its offset where DRF turns it to UTC.
"""

import itertools
from collections.abc import Iterable, Iterator

import orjson
from django.http import StreamingHttpResponse

# Items per block: one write of some hundreds of kilobytes.
JSON_CHUNK_ITEMS = 2000
JSON_CONTENT_TYPE = "application/json"
# DRF escapes these two (valid in JSON, line breaks in JavaScript); orjson leaves them.
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()
_SEPARATOR_LEAD_BYTES = _LINE_SEPARATOR[:2]


# A UTC time as DRF writes it: 2026-01-31T09:30:00.123456Z, the fraction only when any.
_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z


def _encoded(items: list) -> bytes:
    body = orjson.dumps(items, option=_OPTIONS)
    if _SEPARATOR_LEAD_BYTES in body:
        body = body.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
    return body


def json_array_chunks(
    items: Iterable[dict], *, items_per_chunk: int = JSON_CHUNK_ITEMS
) -> Iterator[bytes]:
    """The JSON list of items, as blocks of bytes that join into DRF's rendering of it."""
    items = iter(items)
    opening = b"["
    while batch := list(itertools.islice(items, items_per_chunk)):
        # Each block is a whole list; joined, their brackets become the commas between.
        yield opening + _encoded(batch)[1:-1]
        opening = b","
    yield b"[]" if opening == b"[" else b"]"


def json_array_response(items: Iterable[dict]) -> StreamingHttpResponse:
    """A JSON list answer streamed a block at a time: the server holds one block of items,
    never the whole list."""
    return StreamingHttpResponse(json_array_chunks(items), content_type=JSON_CONTENT_TYPE)
