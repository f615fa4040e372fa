import datetime

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from groups.registry.models import EducationGroup
from groups.registry.selectors import group_attention_for_user, group_list_for_user
from members.selectors import school_list_for_user

# Policy A-5: at least 10 groups city-wide by 2020, at least 30 by 2025.
CITY_GROUP_TARGETS = ((2020, 10), (2025, 30))


@login_not_required
def healthz_view(request):
    """Liveness for the container health check: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bench_floor_view(request):
    """The benchmark's floor F (issue 7): a logged-in page that does nothing but pass through
    the whole middleware stack, so every page is measured as a fraction of it."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def group_targets(*, today: datetime.date) -> list[dict]:
    """Policy A-5, each target judged by the groups in being at the end of its year (a year not
    yet over counts what is known today for its end: approved groups, not hopes)."""
    rows = []
    for year, target in CITY_GROUP_TARGETS:
        as_of = datetime.date(year, 12, 31)
        actual = EducationGroup.objects.active_on(as_of).count()
        rows.append(
            {
                "year": year,
                "target": target,
                "actual": actual,
                "as_of": as_of,
                "met": actual >= target,
            }
        )
    return rows


def home_view(request):
    """Each role's home: what needs attention and the groups the user may see."""
    user = request.user
    groups = group_list_for_user(user=user).order_by("founded_on", "id")
    context = {
        "groups": groups[:10],
        "group_count": groups.count(),
        "school_count": school_list_for_user(user=user).count(),
        "attention": group_attention_for_user(user=user),
    }
    if user.sees_everything:
        context["targets"] = group_targets(today=timezone.localdate())
    return render(request, "home.html", context)
