"""The audit rows of a model (django-simple-history), read without rebuilding its manager.

`Model.history` and `obj.history` build a new manager class on every access
(`Manager.from_queryset`, which walks the queryset class with `inspect.getmembers`): about half
a millisecond each time, and the group page reads seven history tables (issue 7).
`history_rows(Model)` returns the same queryset as `Model.history.all()` from one manager kept
per model; `history_rows(Model, pk=obj.pk)` the same as `obj.history.all()`."""

from functools import cache

from django.db.models import Model, QuerySet


@cache
def _manager(model: type[Model]):
    # The class-level history manager holds only the history model: safe to share.
    return model.history  # type: ignore[attr-defined]


def history_rows(model: type[Model], *, pk: object = None) -> QuerySet:
    """Every audit row of `model`, or those of the object with primary key `pk`."""
    qs = _manager(model).all()
    return qs if pk is None else qs.filter(**{model._meta.pk.attname: pk})
