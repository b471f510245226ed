"""The Idempotency-Key contract, which the schema (core/openapi.py) describes and an app that
honours the header (leads/api/idempotency.py) keeps: the headers' names, the key's length."""

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_KEY_MAX_LENGTH = 255
