"""Errors the services raise for callers to show: each carries its HTTP status and a message
meant for a person. Views turn them into `{"error": message}`; commands print them."""


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(ApplicationError):
    status_code = 400


class NotFound(ApplicationError):
    status_code = 404


class Conflict(ApplicationError):
    status_code = 409


class PayloadTooLarge(ApplicationError):
    status_code = 413


class Unprocessable(ApplicationError):
    """Well-formed, but not a request this can answer (a key reused for another request)."""

    status_code = 422
