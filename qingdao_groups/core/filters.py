"""The base of every list filter (django-filter FilterSets): Bootstrap classes on the widgets,
and the text search the lists and pickers share."""

import operator
from functools import reduce
from typing import TypeVar

import django_filters
from django import forms
from django.db import connections
from django.db.models import Model, Q, QuerySet

from qingdao_groups.core.forms import BootstrapFormMixin

M = TypeVar("M", bound=Model)


class BootstrapFilterForm(BootstrapFormMixin, forms.Form):
    pass


def only_if_checked(filter_q):
    """A filter method for a tick box: applies `filter_q` when ticked, else nothing (an unticked
    box means "all", not "only the false ones")."""

    def method(queryset, name, value):
        return queryset.filter(filter_q) if value else queryset

    return method


class TickBoxFilter(django_filters.Filter):
    field_class = forms.BooleanField


# Searches collect at most this many keys before narrowing a list to them (filter_search): a
# four-character term finds a few hundred of 200,000 schools. Half the backend's limit of query
# parameters where it has one (SQLite: 999), leaving room for the rest of the query.
SEARCH_KEYS_MAX = 2000


def _search_keys_max(queryset: QuerySet) -> int:
    limit = connections[queryset.db].features.max_query_params
    return min(SEARCH_KEYS_MAX, limit // 2) if limit else SEARCH_KEYS_MAX


def search_keys(queryset: QuerySet, *parts: Q) -> list[int] | None:
    """The keys of the rows of `queryset` (a user's scope) that match any of `parts`, if there
    are at most SEARCH_KEYS_MAX; None when there are more (a common term).

    Each part is a filter the database can answer from indexes of its own (a trigram index for
    `icontains`, members/0005 and groups/0017; a btree for `startswith`, or for a join from a
    small table), so the parts are asked apart and their keys put together, where an OR across a
    join made PostgreSQL read every row (issue 7). The keys are collected in no order and the
    collecting stops after SEARCH_KEYS_MAX: cheap whether the term is rare (the indexes find it)
    or common (any scan meets that many rows soon)."""
    probe, *others = (
        queryset.filter(part).order_by().values_list("pk", flat=True) for part in parts
    )
    if others:
        probe = probe.union(*others, all=True)
    most = _search_keys_max(queryset)
    found = list(probe[: most + 1])
    return sorted(set(found)) if len(found) <= most else None


def narrow_to_keys(queryset: QuerySet[M], keys: list[int]) -> QuerySet[M]:
    """`queryset` narrowed to the rows of `keys`: PostgreSQL reads those few rows by their key
    and checks the rest of the query (the user's scope) on them only."""
    return queryset.filter(pk__in=keys)


def filter_search(queryset: QuerySet[M], *parts: Q) -> QuerySet[M]:
    """`queryset` narrowed to the rows that match any of `parts`: the text search of a list
    (issue 7). A rare term narrows the list to the keys search_keys found, which a list then
    sorts whole (qingdao_groups.core.pagination); a common one filters the list directly, where
    walking the list's order fills a page soon."""
    keys = search_keys(queryset, *parts)
    if keys is None:
        return queryset.filter(reduce(operator.or_, parts))
    return narrow_to_keys(queryset, keys)
