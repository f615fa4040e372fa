"""Award pages (policy F-5): access -> form -> service -> message -> redirect."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from funding import rules
from funding.awards.filters import AwardFilter
from funding.awards.forms import AwardForm
from funding.awards.permissions import can_record_awards
from funding.awards.selectors import award_list_for_user, group_for_award, group_seen
from funding.awards.services import award_record
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once

PAGE_SIZE = 25


def award_list_view(request):
    """Every award in the user's scope, filtered by year, level, group (policy F-5)."""
    user = request.user
    filterset = AwardFilter(request.GET or None, queryset=award_list_for_user(user=user))
    page = KeyFirstPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for award in page:
        award.amount_text = rules.money_text(award.amount) if award.amount is not None else ""
    query = request.GET.copy()
    query.pop("page", None)
    group = group_seen(user=user, group_id=request.GET.get("group"))
    return render(
        request,
        "funding/awards/award_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "query_string": query.urlencode(),
            "group": group,
            "can_record": can_record_awards(user).allowed,
        },
    )


def award_create_view(request):
    """Record an award (policy F-5); ?group=<id> fills in the group."""
    user = request.user
    require(can_record_awards(user))
    initial = {"year": timezone.localdate().year}
    group = group_seen(user=user, group_id=request.GET.get("group"))
    if group is not None:
        initial["group"] = group.code or group.name
    form = AwardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = group_for_award(user=user, text=data["group"])
        if not found:
            form.add_error(
                "group",
                _("找不到该集团，或您无权为其登记表彰奖励：请填写集团编号或全称（政策 F-5）。"),
            )
        elif len(found) > 1:
            form.add_error("group", _("有多个集团同名，请填写集团编号。"))
        else:
            try:
                award, created = once(
                    data["submission"],
                    user,
                    lambda: award_record(
                        group=found[0],
                        recipient_kind=data["recipient_kind"],
                        recipient_name=data["recipient_name"],
                        title=data["title"],
                        level=data["level"],
                        year=data["year"],
                        amount=data["amount"],
                        actor=user,
                    ),
                )
            except RuleRefusal as exc:
                add_form_error(form, exc)
            else:
                if created:
                    messages.success(
                        request,
                        _("已登记表彰奖励：%(title)s（%(name)s）。")
                        % {"title": award.title, "name": award.recipient_name},
                    )
                else:
                    messages.info(request, ALREADY_DONE)
                return redirect(reverse("funding:award-list") + f"?group={award.group_id}")
    return render(request, "funding/awards/award_form.html", {"form": form})
