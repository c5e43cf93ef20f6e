"""Serializers shared by every app's API: strict input (unknown fields are an error, not
silently dropped), query-parameter validation, and the error body for the schema."""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

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
