"""Tables of benchmark B0. The app has no migrations on purpose: `migrate --run-syncdb` under
bench.settings creates them, and the product's `makemigrations --check` never sees them."""

from django.db import models


class Item(models.Model):
    """The point-read table: N rows, generated from a seed by `benchseed`."""

    code = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.code


class Entry(models.Model):
    """What the bare-create view writes: one ~1 KB row per request."""

    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"entry {self.pk}"


class DatasetInfo(models.Model):
    """Which data set the tables hold, so that an unchanged one is not generated again."""

    key = models.CharField(max_length=50, unique=True)
    value = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"
