"""Page-number pagination for the JSON API: {items, count, page, per_page, total_pages}."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class PageNumberPagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1)
        per_page: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        per_page: int
        total_pages: int

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Input, **params: Any) -> dict[str, Any]:
        count = queryset.count()
        offset = (pagination.page - 1) * pagination.per_page
        return {
            "items": list(queryset[offset : offset + pagination.per_page]),
            "count": count,
            "page": pagination.page,
            "per_page": pagination.per_page,
            "total_pages": max(1, math.ceil(count / pagination.per_page)),
        }
