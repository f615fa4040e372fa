"""The paginator every list page uses (issue 7: fast at any size).

A deep page of an OFFSET query makes the database build every skipped row in full: its joins and
the per-row subqueries of the select list (a group's member count), thousands of times for page
200. This paginator cuts the page on the primary keys alone, an index-only walk when the sort
keys are indexed (the school list sorts on (name, id), the group list on (founded_on, id)), and
then loads the page's rows by key: one more query, whatever the page and the data size.

A short list (a search, a district's schools) has all its keys fetched in order and the page cut
from them: with a LIMIT, PostgreSQL would walk the sort index expecting the few matching rows to
be spread evenly along it, and read the whole index to fill one page when they sat together near
its end; without, it finds the few rows and sorts them.

Counting is bounded too: the total is counted up to COUNT_CAP rows (one query whose cost does
not grow with the table), and a list with more lists its first COUNT_CAP rows and says so (the
templates show "more than 10,000" and ask for a search or a filter). An exact count(*) of a
nation's 200,000 schools cost 30–60 ms per page, and page 4,000 an index walk of 140 ms.
Page numbers, links and counts otherwise behave as Django's Paginator."""

from functools import cached_property
from math import ceil
from typing import Any

from django.core.paginator import Page, Paginator

COUNT_CAP = 10_000
# Lists of at most this many rows are sorted whole (a few thousand integers).
SHORT_LIST = 2000


class KeyFirstPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        """The number of rows, counted up to cap + 1 (more than `cap` means `capped`)."""
        qs: Any = self.object_list
        if not hasattr(qs, "values_list"):
            return len(qs)
        return qs.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        """More rows than the list shows: only the first `cap` can be paged through."""
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        listed = min(self.count, self.cap)
        if listed == 0 and not self.allow_empty_first_page:
            return 0
        return ceil(max(1, listed - self.orphans) / self.per_page)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        listed = min(self.count, self.cap)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= listed:
            top = listed
        qs: Any = self.object_list
        if not hasattr(qs, "values_list"):  # a list: nothing to gain
            return Page(qs[bottom:top], number, self)
        if self.count <= SHORT_LIST:
            keys = list(qs.values_list("pk", flat=True))[bottom:top]
        else:
            keys = list(qs.values_list("pk", flat=True)[bottom:top])
        # the page's keys in a subquery: the list may already be narrowed to a list of keys (a
        # search), and with two lists on the same key PostgreSQL multiplies their lengths into
        # its estimate of the index's cost and reads the whole table instead
        page_keys = qs.model._default_manager.using(qs.db).filter(pk__in=keys).values("pk")
        by_key = {obj.pk: obj for obj in qs.order_by().filter(pk__in=page_keys)}
        return Page([by_key[k] for k in keys if k in by_key], number, self)
