"""Reading one row by its key.

`QuerySet.get()` adds `LIMIT 21` (to tell "one" from "several"). A key matches one row at most,
and with a LIMIT PostgreSQL weighs every join order twice (the cheapest path to the first row
and to all rows): the application page's eight joined tables took 15 ms to plan with it and
3 ms without (issue 7)."""

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def by_key(queryset: "models.QuerySet[M]", pk) -> M:
    """What `queryset.get(pk=pk)` returns, read without a LIMIT; raises the model's
    DoesNotExist (MultipleObjectsReturned if the queryset's own filters repeat the row)."""
    rows = list(queryset.filter(pk=pk))
    if len(rows) == 1:
        return rows[0]
    model: Any = queryset.model
    if not rows:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}")
