"""The consultation fixtures, shared by every test module of the app."""

from open12348.consultations.tests.factories import (  # noqa: F401 (fixtures)
    asker,
    catalog,
    other_citizen,
    question,
    student_a,
    volunteer_a,
    volunteer_b,
)
