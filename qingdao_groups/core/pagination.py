"""The paginator every list page uses (issue 7: fast at any size).

A deep page of an OFFSET query makes the database build every skipped row in full: its joins and
the per-row subqueries of the select list (a group's member count), thousands of times for page
200. This paginator cuts the page on the primary keys alone, an index-only walk when the sort
keys are indexed (the school list sorts on (name, id), the group list on (founded_on, id)), and
then loads the page's rows by key: one more query, whatever the page and the data size. Page
numbers, links and counts behave as Django's Paginator."""

from typing import Any

from django.core.paginator import Page, Paginator


class KeyFirstPaginator(Paginator):
    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        qs: Any = self.object_list
        if not hasattr(qs, "values_list"):  # a list: nothing to gain
            return super().page(number)
        keys = list(qs.values_list("pk", flat=True)[bottom:top])
        by_key = {obj.pk: obj for obj in qs.order_by().filter(pk__in=keys)}
        return Page([by_key[k] for k in keys if k in by_key], number, self)
