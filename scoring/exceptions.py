"""Errors the services raise for callers to show: each carries its HTTP status and a message
meant for a person. Views turn them into `{"error": message}`; commands print them."""


class ScoringError(Exception):
    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(ScoringError):
    status_code = 400


class NotFound(ScoringError):
    status_code = 404


class Conflict(ScoringError):
    status_code = 409


class PayloadTooLarge(ScoringError):
    status_code = 413


class Unprocessable(ScoringError):
    """Well-formed, but not a request this can answer (a key reused for another request)."""

    status_code = 422
