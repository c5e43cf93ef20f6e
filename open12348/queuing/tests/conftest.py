"""Fixtures of the hall tests (see factories.py)."""

from open12348.queuing.tests.factories import hall  # noqa: F401
