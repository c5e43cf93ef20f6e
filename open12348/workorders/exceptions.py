"""Refusals the API maps to HTTP statuses (409, 422) and the pages show as messages."""


class WorkOrderConflict(Exception):
    """The order is not in a state that allows this (HTTP 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(WorkOrderConflict):
    pass


class AlreadyClaimed(WorkOrderConflict):
    """Someone else holds the order; `holder` is who."""

    def __init__(self, message: str, holder=None):
        super().__init__(message)
        self.holder = holder


class IdempotencyMismatch(Exception):
    """The same Idempotency-Key with a different request body (HTTP 422)."""


class IdempotencyInFlight(WorkOrderConflict):
    """The first request with this key is still being processed (HTTP 409)."""
