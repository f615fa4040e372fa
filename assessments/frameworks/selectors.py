"""Reads of assessment frameworks (policy A-1; issue 10), each a constant number of queries
whatever the size of the tree or the number of cycles."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from assessments.frameworks.models import Dimension, Framework, Indicator
from assessments.frameworks.permissions import can_read_drafts, can_view_framework
from members.models import User
from qingdao_groups.core.queries import by_key


def framework_list_for_user(*, user: User) -> QuerySet[Framework]:
    """Every framework the user may read (drafts only for those who read drafts), with the
    number of cycles using each, by code and newest revision first."""
    qs = Framework.objects.annotate(cycle_count=Count("cycles")).select_related(
        "created_by", "published_by", "based_on"
    )
    if not can_read_drafts(user):
        qs = qs.filter(status=Framework.Status.PUBLISHED)
    return qs.order_by("code", "-revision")


def framework_get_for_user(*, user: User, framework_id: int) -> Framework:
    """The framework, or 404 when it does not exist or the user may not read it."""
    try:
        framework = by_key(
            Framework.objects.select_related("created_by", "published_by", "based_on"),
            framework_id,
        )
    except Framework.DoesNotExist as exc:
        raise Http404 from exc
    if not can_view_framework(user, framework):
        raise Http404
    return framework


@dataclass(frozen=True)
class Tree:
    dimensions: list[Dimension]  # each with `.items`: its indicators in order
    indicators: list[Indicator]  # all, in order

    @property
    def weight_total(self):
        return sum((d.weight for d in self.dimensions), 0)


def framework_tree(framework: Framework) -> Tree:
    """The dimensions in order, each with its indicators in order (two queries)."""
    dimensions = list(
        Dimension.objects.filter(framework=framework)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("order", "id"),
                to_attr="items",
            )
        )
    )
    return Tree(dimensions, [i for d in dimensions for i in d.items])


def framework_cycles(framework: Framework) -> list:
    """The cycles scored on this framework (one query; the cycles' own pages link them)."""
    return list(framework.cycles.select_related("authority").order_by("-period_end", "-id")[:50])


def framework_revisions(*, user: User, framework: Framework) -> list[Framework]:
    """The other revisions of the same code the user may read (one query), newest first."""
    qs = Framework.objects.filter(code=framework.code).exclude(pk=framework.pk)
    if not can_read_drafts(user):
        qs = qs.filter(status=Framework.Status.PUBLISHED)
    return list(qs.only("pk", "code", "revision", "status", "name").order_by("-revision"))
