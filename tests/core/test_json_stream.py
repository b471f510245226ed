"""json_stream writes, block by block, the very bytes DRF's JSONRenderer writes for the same
list: checked on every code point and on generated lists, whatever the block size."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import DateTimeField

from scoring.core.json_stream import JSON_CONTENT_TYPE, json_array_chunks, json_array_response

PURE = settings(max_examples=300, deadline=None, derandomize=True, database=None)

# Every character a str can hold in a database column: all but the lone surrogates.
EVERY_CHARACTER = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    st.sampled_from(["", '"', "\\", "\u2028", "\u2029", "\x00", "\x1f", "\x7f", "é", "😀"]),
)
items = st.dictionaries(
    st.text(max_size=5),
    st.one_of(values, st.lists(values, max_size=3), st.dictionaries(st.text(max_size=3), values)),
    max_size=5,
)


def drf(data) -> bytes:
    return JSONRenderer().render(data)


def streamed(data, **kwargs) -> bytes:
    return b"".join(json_array_chunks(data, **kwargs))


def test_every_character_is_written_as_drf_writes_it():
    data = [{"all": EVERY_CHARACTER}, {"line": "a\u2028b\u2029c", "quote": '"\\'}]

    assert streamed(data) == drf(data)


@PURE
@given(st.lists(items, max_size=12), st.integers(min_value=1, max_value=5))
def test_generated_lists_are_written_as_drf_writes_them(data, per_chunk):
    assert streamed(data, items_per_chunk=per_chunk) == drf(data)


@pytest.mark.parametrize("count", [0, 1, 2, 5, 6])
def test_blocks_join_into_one_list(count):
    data = [{"n": n} for n in range(count)]

    chunks = list(json_array_chunks(data, items_per_chunk=2))

    assert b"".join(chunks) == drf(data)
    assert len(chunks) == ((count + 1) // 2 + 1 if count else 1)  # the blocks, then "]"


@pytest.mark.parametrize("microsecond", [0, 120000, 9])
def test_a_utc_time_naive_or_aware_is_written_as_drf_writes_a_datetime_field(microsecond):
    aware = datetime(2026, 1, 31, 9, 30, 5, microsecond, tzinfo=UTC)
    expected = drf([{"at": DateTimeField().to_representation(aware)}])

    assert streamed([{"at": aware}]) == expected
    assert streamed([{"at": aware.replace(tzinfo=None)}]) == expected


def test_the_response_streams_json():
    response = json_array_response(iter([{"a": 1}]))

    assert response.streaming
    assert response["Content-Type"] == JSON_CONTENT_TYPE == "application/json"
    assert b"".join(response.streaming_content) == b'[{"a":1}]'
