"""One page of a list: advanced-alchemy's ``LimitOffset`` in, ``OffsetPagination`` out.

Every paginated list (the API's and the pages') reads its page here, through the
repository's ``list_and_count``, so there is one pager and not one per list.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, overload

from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import OffsetPagination
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["LimitOffset", "OffsetPagination", "paginate"]

Row = TypeVar("Row")
Item = TypeVar("Item")


@cache
def _repository(model: type[Any]) -> type[SQLAlchemyAsyncRepository[Any]]:
    return type(f"{model.__name__}Pages", (SQLAlchemyAsyncRepository,), {"model_type": model})


@overload
async def paginate(
    session: AsyncSession, query: Select[tuple[Row]], page: LimitOffset, order_by: Any
) -> OffsetPagination[Row]: ...


@overload
async def paginate(
    session: AsyncSession,
    query: Select[tuple[Row]],
    page: LimitOffset,
    order_by: Any,
    out: Callable[[Row], Item],
) -> OffsetPagination[Item]: ...


async def paginate(
    session: AsyncSession,
    query: Select[tuple[Row]],
    page: LimitOffset,
    order_by: Any,
    out: Callable[[Row], Any] | None = None,
) -> OffsetPagination[Any]:
    """The ``page`` of ``query`` in ``order_by`` order (one expression or a list), with
    the total; each row through ``out`` when given."""
    model = query.column_descriptions[0]["entity"]
    # Two queries, not a window function: a page past the end still says the total.
    repository = _repository(model)(
        session=session,
        statement=query,
        wrap_exceptions=False,
        count_with_window_function=False,
    )
    orders = order_by if isinstance(order_by, list) else [order_by]
    rows, total = await repository.get_many_and_count(page, statement=query.order_by(*orders))
    items = [out(r) for r in rows] if out else rows
    return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)
