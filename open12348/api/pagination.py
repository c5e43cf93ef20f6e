import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

_POSITIVE_INT = re.compile(r"[0-9]{1,9}")


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (100 by default, at most 500). A malformed value is a 400
    naming the parameter; a page past the end is a 404."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    page_query_description = _("页码，从 1 开始。")
    page_size_query_description = _("每页条数，默认 100，最多 500。")
    invalid_page_message = _("第 {page_number} 页没有数据。")

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            return raw
        if not _POSITIVE_INT.fullmatch(raw) or int(raw) < 1:
            raise ValidationError({self.page_query_param: [gettext("页码须为正整数。")]})
        return raw

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _POSITIVE_INT.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        gettext("每页条数须为 1 到 {max_page_size} 之间的整数。").format(
                            max_page_size=self.max_page_size
                        )
                    ]
                }
            )
        return int(raw)
