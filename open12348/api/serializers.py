"""Serializers shared by every app's API: strict input (unknown fields are an error, not
silently dropped), query-parameter validation, and the error body for the schema."""

import re
from collections.abc import Iterable, Mapping
from functools import cached_property

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.validators import ProhibitSurrogateCharactersValidator

UNKNOWN_FIELD = _("未知字段。")
READ_ONLY_FIELD = _("该字段为只读字段，不能提交。")
UNKNOWN_QUERY_PARAM = _("未知查询参数。")
REPEATED_QUERY_PARAM = _("该查询参数只能出现一次。")


class StrictSerializerMixin:
    """Rejects input keys the serializer does not accept, naming each one: a misspelt
    field must not be silently ignored. Read-only fields sent in are refused as such."""

    def to_internal_value(self, data):
        unknown = self._unknown_field_errors(data)
        try:
            value = super().to_internal_value(data)
        except ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise ValidationError({**error.detail, **unknown}) from None
            raise
        if unknown:
            raise ValidationError(unknown)
        return value

    def _unknown_field_errors(self, data) -> dict[str, list[str]]:
        if not isinstance(data, Mapping):
            return {}  # the parent class reports the wrong type
        errors = {}
        for key in data:
            field = self.fields.get(key)
            if field is None:
                errors[str(key)] = [UNKNOWN_FIELD]
            elif field.read_only:
                errors[str(key)] = [READ_ONLY_FIELD]
        return errors


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class _SurrogateSearch(ProhibitSurrogateCharactersValidator):
    """DRF's refusal of lone surrogates, by one regular-expression search instead of a Python
    generator step per character."""

    _pattern = re.compile("[\ud800-\udfff]")

    def __call__(self, value):
        found = self._pattern.search(str(value))
        if found:
            raise ValidationError(self.message.format(code_point=ord(found.group())), code=self.code)


class LongCharField(serializers.CharField):
    """A CharField for long free text (a request's description): the same checks, with the
    surrogate check that costs a Python step per character done by one regex search."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            _SurrogateSearch() if type(v) is ProhibitSurrogateCharactersValidator else v for v in self.validators
        ]


class SharedFieldsMixin:
    """The declared fields copied and bound once per class, then shared by every instance.
    DRF deep-copies them for each instance, which re-creates every field (≈ 0.7 ms a request
    for the work-order intake, B1). Only for input serializers whose fields keep no state
    and read neither `context` nor `instance` (they are bound to a context-free template);
    the serializer's own `validate_*` methods still run on, and see the context of, the
    instance at hand."""

    @cached_property
    def fields(self):
        cls = type(self)
        shared = cls.__dict__.get("_shared_fields")
        if shared is None:
            template = cls(context={})
            shared = super(SharedFieldsMixin, template).fields
            cls._shared_fields = shared
        return shared


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass


def validate_query_params(request, serializer_class=None, *, extra: Iterable[str] = ()) -> dict:
    """Validate `request.query_params` against `serializer_class` (a serializer whose fields
    are the parameters). Names in `extra` (pagination, format) are allowed and left to
    their owners. Unknown or repeated parameters and wrong values are a 400 naming each."""
    declared = serializer_class().fields if serializer_class is not None else {}
    allowed = set(declared) | set(extra)
    errors: dict[str, list[str]] = {}
    for key in request.query_params:
        if key not in allowed:
            errors[key] = [UNKNOWN_QUERY_PARAM]
        elif len(request.query_params.getlist(key)) > 1:
            errors[key] = [REPEATED_QUERY_PARAM]
    if errors:
        raise ValidationError(errors)
    if serializer_class is None:
        return {}
    serializer = serializer_class(
        data={key: request.query_params[key] for key in declared if key in request.query_params}
    )
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ErrorSerializer(serializers.Serializer):
    """错误响应：detail 为给人看的说明；校验错误时 errors 列出每个有误的字段或查询参数。"""

    detail = serializers.CharField(help_text=_("给人看的说明（简体中文）"))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("仅校验错误（400）时出现：字段或查询参数名 → 错误说明列表"),
    )
