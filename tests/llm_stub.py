"""A stub LLM server for tests and benchmarks: the remote providers' real SDKs talk to it
over HTTP on 127.0.0.1, so no test needs the internet or a key.

It speaks three wire protocols, each in the response shape its SDK parses, token usage
included:

- OpenAI   ``POST /v1/chat/completions`` (or ``/chat/completions``)
- Gemini   ``POST /{version}/models/{model}:generateContent``: google-genai 3.x sends
  ``v1`` by default (``v1beta`` with GOOGLE_GENAI_API_VERSION=beta); ``v1``, ``v1beta`` and
  ``v1alpha`` are all accepted
- Ollama   ``POST /api/chat`` (non-streaming)

Usage::

    from tests.llm_stub import LlmStub

    with LlmStub(delay=0.05) as stub:            # started on a free port, daemon thread
        settings_values = stub.settings_for("openai")   # OPENAI_BASE_URL etc. -> the stub
        ...
        stub.calls, stub.peak_in_flight, stub.requests[-1].body

Behaviour, configurable at any time (thread-safe):

- By default it *answers by content*: it reads the JSON between ``<lead_data>`` and
  ``</lead_data>`` in the prompt the request carries and labels the lead with
  `label_for(lead)`: High when the bio mentions "analytics" or "machine learning", Medium
  when it mentions "data", else Low; the answer is ``{"intent", "reasoning", "factors"}``.
- A prompt that carries ``<conversation_data>`` (a conversation to grade) gets
  `conversation_answer_for(conversation)` instead: `conversation_score_for` gives 20
  points for each of `CONVERSATION_KEYWORDS` ("pricing", "demo", "enterprise",
  "integration", "budget") found, case-insensitively, in the visitor's messages (role
  "user" or "visitor"; the bot's words never count), so 0 to 100; the answer is
  ``{"lead_score", "intent_signals", "key_interests", "recommended_actions",
  "reasoning"}``. ``conversation_answer``: a dict sent as every conversation answer
  instead (a score of 150, an extra key...), ``None`` for answers by content.
- A prompt that carries ``<buyer_profile_request>`` (who buys an offer) gets
  `buyer_profile_answer_for(offer)`: primary department "data" when the offer's text
  mentions "analytics", else "operations"; min_seniority "director"; no industries.
- ``delay``: seconds every request waits before answering.
- ``fail_next([...])``: the next calls' outcomes, in order, then normal answers again. An
  outcome is an HTTP status (``"429"``, ``"500"``, ``401``...; 429 and 503 carry the
  ``Retry-After`` header when ``retry_after`` is set), or one of `MALFORMED` (content that
  is not JSON), `OFF_SCHEMA` (JSON with intent "Maybe"), `HANG` (no answer for
  ``hang_seconds``, longer than any client timeout; released by `stop`), `DROP` (the
  connection is closed without an answer) or `BAD_BODY` (HTTP 200 whose body is not JSON).
  For a conversation, `OFF_SCHEMA` is `CONVERSATION_OFF_SCHEMA_ANSWER` (lead_score "hot").
- ``http_error(code)``: every call answers with that status until `reset` (``None`` stops).
- ``retry_after``: the Retry-After header value sent with 429/503 (``None``: no header).

Records (cleared by `reset`): ``requests`` (`RecordedRequest`: protocol, path, parsed
body, headers, the tokens it reported, its `lead` or `conversation` data), ``calls`` and
``peak_in_flight`` (the most requests handled at once). A 401 echoes the API key it
received, as OpenAI's does, so tests can check that no key leaks into an error message.
`unused_port()` gives a port with nothing listening, for connection-refused cases.
"""

import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = [
    "BAD_BODY",
    "CONVERSATION_DATA",
    "CONVERSATION_KEYWORDS",
    "CONVERSATION_OFF_SCHEMA_ANSWER",
    "DROP",
    "ERROR_MESSAGES",
    "HANG",
    "LEAD_DATA",
    "MALFORMED",
    "OFF_SCHEMA",
    "PROTOCOLS",
    "LlmStub",
    "RecordedRequest",
    "answer_for",
    "buyer_profile_answer_for",
    "conversation_answer_for",
    "conversation_score_for",
    "label_for",
    "unused_port",
]

HOST = "127.0.0.1"
PROTOCOLS = ("openai", "gemini", "ollama")
MALFORMED = "malformed"
OFF_SCHEMA = "off_schema"
HANG = "hang"
DROP = "drop"
BAD_BODY = "bad_body"
MALFORMED_TEXT = "Sure! This lead looks like a High intent prospect."
OFF_SCHEMA_ANSWER = {"intent": "Maybe", "reasoning": "Hard to tell.", "factors": []}
CONVERSATION_OFF_SCHEMA_ANSWER = {
    "lead_score": "hot",
    "intent_signals": [],
    "key_interests": [],
    "recommended_actions": [],
    "reasoning": "Sounds keen.",
}
LEAD_DATA = re.compile(r"<lead_data>(.*?)</lead_data>", re.DOTALL)
OFFER_DATA = re.compile(r"<offer_data>(.*?)</offer_data>", re.DOTALL)
PROFILE_REQUEST = re.compile(r"<buyer_profile_request>(.*?)</buyer_profile_request>", re.DOTALL)
CONVERSATION_TAG = "<conversation_data>"
CONVERSATION_DATA = re.compile(r"<conversation_data>(.*?)</conversation_data>", re.DOTALL)
CONVERSATION_KEYWORDS = ("pricing", "demo", "enterprise", "integration", "budget")
CONVERSATION_KEYWORD_POINTS = 20
VISITOR_ROLES = ("user", "visitor")
GEMINI_PATH = re.compile(r"^/(?:v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):generateContent$")
# The error text the stub sends per status; a 401 says "Incorrect API key provided: <key>."
ERROR_MESSAGES = {
    400: "Invalid request.",
    408: "Request timed out.",
    429: "Rate limit reached for requests.",
    500: "The server had an error while processing your request.",
    503: "The service is overloaded.",
}
STATUS_NAMES = {  # Gemini's error "status" per HTTP status
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def label_for(lead: dict) -> str:
    """The label the stub gives a lead (a <lead_data> dict): by its bio's words alone."""
    bio = (lead.get("linkedin_bio") or "").lower()
    if "analytics" in bio or "machine learning" in bio:
        return "High"
    if "data" in bio:
        return "Medium"
    return "Low"


def answer_for(lead: dict) -> dict:
    label = label_for(lead)
    bio = (lead.get("linkedin_bio") or "").lower()
    words = [w for w in ("analytics", "machine learning", "data") if w in bio]
    reasoning = f"The bio mentions {', '.join(words)}." if words else "Nothing in the bio fits."
    return {"intent": label, "reasoning": reasoning, "factors": [f"bio: {w}" for w in words]}


def buyer_profile_answer_for(offer: dict) -> dict:
    """The profile the stub reads from an offer (a <buyer_profile_request> dict)."""
    text = json.dumps(offer).lower()
    return {
        "primary_departments": ["data"] if "analytics" in text else ["operations"],
        "secondary_departments": ["marketing"],
        "min_seniority": "director",
        "target_industries": [],
        "vertical": False,
        "competitors": [],
    }


def _visitor_text(conversation: dict) -> str:
    messages = conversation.get("messages") or []
    return "\n".join(
        str(m.get("content", "")) for m in messages if m.get("role") in VISITOR_ROLES
    ).lower()


def _keywords_in(conversation: dict) -> list[str]:
    text = _visitor_text(conversation)
    return [word for word in CONVERSATION_KEYWORDS if word in text]


def conversation_score_for(conversation: dict) -> int:
    """The score the stub gives a conversation (a <conversation_data> dict): 20 per keyword
    in the visitor's messages."""
    return CONVERSATION_KEYWORD_POINTS * len(_keywords_in(conversation))


def conversation_answer_for(conversation: dict) -> dict:
    words = _keywords_in(conversation)
    reasoning = (
        f"The visitor mentions {', '.join(words)}." if words else "The visitor shows no intent."
    )
    actions = ["Book a demo within 24 hours"] if "demo" in words else ["Send a nurture email"]
    return {
        "lead_score": conversation_score_for(conversation),
        "intent_signals": [f"mentions {word}" for word in words],
        "key_interests": words,
        "recommended_actions": actions,
        "reasoning": reasoning,
    }


def unused_port() -> int:
    """A local port with nothing listening on it (connection refused)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class RecordedRequest:
    protocol: str  # "openai", "gemini", "ollama" or "unknown"
    path: str
    body: dict
    headers: dict[str, str]  # names lower-cased
    input_tokens: int | None = None  # as reported in the answer, when it was one
    output_tokens: int | None = None

    @property
    def lead(self) -> dict | None:
        """The <lead_data> JSON found in the request's prompt."""
        return _lead_data(self.body)

    @property
    def offer(self) -> dict | None:
        """The <offer_data> JSON of a lead prompt, or the offer of a profile request."""
        return _tagged_json(self.body, OFFER_DATA) or _tagged_json(self.body, PROFILE_REQUEST)

    @property
    def conversation(self) -> dict | None:
        """The <conversation_data> JSON found in the request's prompt."""
        return _conversation_data(self.body)

    def texts(self) -> list[str]:
        """Every string in the request body (prompt texts among them)."""
        return list(_strings(self.body))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _lead_data(body: dict) -> dict | None:
    for text in _strings(body):
        if match := LEAD_DATA.search(text):
            try:
                return json.loads(match.group(1))
            except ValueError:
                return None
    return None


def _tagged_json(body: dict, pattern: re.Pattern) -> dict | None:
    """The first JSON between the pattern's tags (a system prompt may name them in prose)."""
    for text in _strings(body):
        for match in pattern.finditer(text):
            try:
                return json.loads(match.group(1))
            except ValueError:
                continue
    return None


def _carries_conversation(body: dict) -> bool:
    return any(CONVERSATION_TAG in text for text in _strings(body))


def _conversation_data(body: dict) -> dict | None:
    return _tagged_json(body, CONVERSATION_DATA)


def _key_of(headers: dict[str, str]) -> str:
    auth = headers.get("authorization", "")
    return auth.removeprefix("Bearer ") or headers.get("x-goog-api-key", "")


def _state_property(name: str, doc: str) -> property:
    return property(
        lambda stub: getattr(stub._state, name),
        lambda stub, value: stub._set(**{name: value}),
        doc=doc,
    )


@dataclass
class _State:
    delay: float = 0.0
    retry_after: str | None = None
    hang_seconds: float = 5.0
    persistent_error: int | None = None
    conversation_answer: dict | None = None
    script: list = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    calls: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0


class LlmStub:
    """The stub server. `start()`/`stop()`, or use it as a context manager."""

    def __init__(self, *, delay: float = 0.0, retry_after: str | None = None):
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._state = _State(delay=delay, retry_after=retry_after)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> "LlmStub":
        handler = type("Handler", (_Handler,), {"stub": self})
        self._server = ThreadingHTTPServer((HOST, 0), handler)
        self._server.daemon_threads = True
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="llm-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging and delayed handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> "LlmStub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}"

    def settings_for(self, protocol: str) -> dict:
        """Django settings that point `protocol`'s provider at this stub (dummy keys)."""
        values = {
            "openai": {"OPENAI_BASE_URL": f"{self.url}/v1", "OPENAI_API_KEY": "sk-stub-key"},
            "gemini": {"GEMINI_BASE_URL": self.url, "GEMINI_API_KEY": "gemini-stub-key"},
            "ollama": {"OLLAMA_HOST": self.url},
        }[protocol]
        return {"LLM_PROVIDER": protocol, **values}

    # --- behaviour ------------------------------------------------------------------------
    def _set(self, **values) -> None:
        with self._lock:
            for name, value in values.items():
                setattr(self._state, name, value)

    delay = _state_property("delay", "Seconds every request waits before answering.")
    retry_after = _state_property("retry_after", "Retry-After sent with 429/503, or None.")
    hang_seconds = _state_property("hang_seconds", "How long a HANG outcome hangs.")
    conversation_answer = _state_property(
        "conversation_answer",
        "A dict sent as every conversation answer, or None to answer by content.",
    )

    def fail_next(self, outcomes) -> None:
        """Script the next calls: HTTP statuses, MALFORMED, OFF_SCHEMA, HANG, DROP or
        BAD_BODY, one per call in order."""
        with self._lock:
            self._state.script.extend(str(outcome) for outcome in outcomes)

    def http_error(self, code: int | None) -> None:
        """Answer every call with HTTP `code` from now on (None: answer normally again)."""
        self._set(persistent_error=code)

    def reset(self) -> None:
        """Back to normal answers (conversations answered by content), no delay, and
        empty records."""
        with self._lock:
            in_flight = self._state.in_flight
            self._state = _State(in_flight=in_flight)

    # --- records --------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    @property
    def calls(self) -> int:
        return self._state.calls

    @property
    def peak_in_flight(self) -> int:
        return self._state.peak_in_flight

    # --- used by the handler --------------------------------------------------------------
    def _begin(self, record: RecordedRequest) -> tuple[str | None, _State]:
        """The call's scripted outcome (None: a normal answer) and a copy of the settings
        to answer it with."""
        with self._lock:
            state = self._state
            state.requests.append(record)
            state.calls += 1
            state.in_flight += 1
            state.peak_in_flight = max(state.peak_in_flight, state.in_flight)
            outcome = state.script.pop(0) if state.script else None
            if outcome is None and state.persistent_error is not None:
                outcome = str(state.persistent_error)
            settings = _State(
                delay=state.delay,
                retry_after=state.retry_after,
                hang_seconds=state.hang_seconds,
                conversation_answer=state.conversation_answer,
            )
            return outcome, settings

    def _end(self) -> None:
        with self._lock:
            self._state.in_flight -= 1

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    stub: LlmStub
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDKs' connection pools expect
    disable_nagle_algorithm = True  # headers and body leave at once, not 40 ms apart

    def log_message(self, format, *args):  # quiet
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        path = self.path.split("?", 1)[0]
        protocol, model = self._route(path, body)
        headers = {name.lower(): value for name, value in self.headers.items()}
        record = RecordedRequest(protocol=protocol, path=path, body=body, headers=headers)
        outcome, state = self.stub._begin(record)
        try:
            self.stub._wait(state.delay)
            if protocol == "unknown":
                return self._error(protocol, 404, f"No route for {path}.", headers)
            if outcome == HANG:
                self.stub._wait(state.hang_seconds)
                self.close_connection = True
                return None
            if outcome == DROP:
                self.close_connection = True
                return None
            if outcome == BAD_BODY:
                return self._send(200, "<html>Bad gateway</html>", raw=True)
            if outcome and outcome.isdigit():
                status = int(outcome)
                extra = {}
                if status in (429, 503) and state.retry_after is not None:
                    extra["Retry-After"] = state.retry_after
                message = ERROR_MESSAGES.get(status, f"Stub error {status}.")
                return self._error(protocol, status, message, headers, extra)
            conversation = _carries_conversation(body)
            if outcome == MALFORMED:
                text = MALFORMED_TEXT
            elif outcome == OFF_SCHEMA:
                text = json.dumps(
                    CONVERSATION_OFF_SCHEMA_ANSWER if conversation else OFF_SCHEMA_ANSWER
                )
            elif (offer := _tagged_json(body, PROFILE_REQUEST)) is not None:
                text = json.dumps(buyer_profile_answer_for(offer))
            elif conversation:
                data = _conversation_data(body)
                if data is None:
                    message = "The prompt has no readable <conversation_data>."
                    return self._error(protocol, 400, message, headers)
                answer = state.conversation_answer
                text = json.dumps(answer if answer is not None else conversation_answer_for(data))
            else:
                lead = _lead_data(body)
                if lead is None:
                    message = "The prompt has no readable <lead_data>."
                    return self._error(protocol, 400, message, headers)
                text = json.dumps(answer_for(lead))
            record.input_tokens = max(1, len(raw) // 4)
            record.output_tokens = max(1, len(text) // 4)
            answer = _ANSWERS[protocol](model, text, record.input_tokens, record.output_tokens)
            return self._send(200, answer)
        finally:
            self.stub._end()

    def _route(self, path: str, body: dict) -> tuple[str, str]:
        if path in ("/v1/chat/completions", "/chat/completions"):
            return "openai", body.get("model", "")
        if match := GEMINI_PATH.match(path):
            return "gemini", match.group("model")
        if path == "/api/chat":
            return "ollama", body.get("model", "")
        return "unknown", ""

    def _error(self, protocol, status, message, headers, extra_headers=None):
        key = _key_of(headers)
        if status == 401:
            message = f"Incorrect API key provided: {key}."
        if protocol == "gemini":
            body = {
                "error": {"code": status, "message": message, "status": STATUS_NAMES.get(status)}
            }
        elif protocol == "ollama":
            body = {"error": message}
        else:
            body = {"error": {"message": message, "type": "stub_error", "code": str(status)}}
        return self._send(status, body, extra_headers or {})

    def _send(self, status, body, extra_headers=None, raw=False):
        data = body.encode() if raw else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra_headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout) and closed the connection
            self.close_connection = True


def _openai_answer(model, text, input_tokens, output_tokens):
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": input_tokens,
            "completion_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
        },
    }


def _gemini_answer(model, text, input_tokens, output_tokens):
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": input_tokens,
            "candidatesTokenCount": output_tokens,
            "totalTokenCount": input_tokens + output_tokens,
        },
        "modelVersion": model,
        "responseId": "stub",
    }


def _ollama_answer(model, text, input_tokens, output_tokens):
    return {
        "model": model,
        "created_at": "2025-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": text},
        "done": True,
        "done_reason": "stop",
        "total_duration": 1_000_000,
        "prompt_eval_count": input_tokens,
        "eval_count": output_tokens,
    }


_ANSWERS = {"openai": _openai_answer, "gemini": _gemini_answer, "ollama": _ollama_answer}
