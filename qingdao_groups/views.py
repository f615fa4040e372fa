from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from groups.registry.selectors import group_attention_counts_for_user
from members.services import user_language_set
from qingdao_groups.core.inbox import inbox_counts
from qingdao_groups.core.labels import url_maker
from qingdao_groups.core.reminders import can_send_reminder, reminder_send, resolve_target
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.middleware import SESSION_LANGUAGE_CHOSEN
from qingdao_groups.selectors import home_figures


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


def home_view(request):
    """Each role's home: what needs attention — the work list's kinds with their counts (cached
    per scope, core.inbox.inbox_counts) and the registry gaps counted per clause (with the
    figures) — each one line linking to the filtered list, and the figures of what the user may
    see, shared per scope (qingdao_groups.selectors). Group links are reversed once per page."""
    today = timezone.localdate()
    figures = home_figures(user=request.user, today=today)
    group_url = url_maker("groups:group-detail")
    inbox_url = reverse("applications:inbox")
    groups_url = reverse("groups:group-list")
    work = [
        {"url": f"{inbox_url}?{urlencode({'kind': k.key})}", "kind": k}
        for k in inbox_counts(request.user)
    ]
    gaps = [
        {"url": f"{groups_url}?{urlencode({'gap': gap.gap})}", "gap": gap}
        for gap in group_attention_counts_for_user(
            user=request.user, today=today, counts=figures["gap_counts"]
        )
    ]
    context = {
        **figures,
        "groups": [{**group, "url": group_url(group["pk"])} for group in figures["groups"]],
        "work": work,
        "gaps": gaps,
    }
    if "targets" in figures:  # policy A-5: a year that is over below its target is missed
        context["targets"] = [
            {**t, "missed": not t["met"] and t["as_of"] < today, "short": t["target"] - t["actual"]}
            for t in figures["targets"]
        ]
    return render(request, "home.html", context)


@login_not_required
def language_set_view(request):
    """The language button (issue 8). Django's set_language checks `next` and sets the cookie
    (what the login page reads); a signed-in person's choice is kept on their account, and a
    choice made before signing in waits in the session until they do."""
    response = set_language(request)
    language = request.POST.get("language") if request.method == "POST" else None
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            user_language_set(user=request.user, language=language)
        else:
            request.session[SESSION_LANGUAGE_CHOSEN] = language
    return response


@require_POST
def reminder_send_view(request):
    """Staff remind whoever an item waits for (催办): from the item's page or a work-list row.
    403 for whoever may not remind, 404 for an item they may not see; a refusal (waits for
    nobody, for their own unit, already reminded today) is shown as a message."""
    require(can_send_reminder(request.user))
    target = request.POST.get("target", "")
    _source, obj = resolve_target(request.user, target)
    try:
        reminder = reminder_send(target=target, actor=request.user)
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已向 %(who)s 发出催办。") % {"who": reminder.recipient})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    return redirect(back)
