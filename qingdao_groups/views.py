from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.i18n import set_language

from groups.registry.selectors import group_attention_for_user
from members.services import user_language_set
from qingdao_groups.core.labels import url_maker
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
    """Each role's home: what needs attention, live, and the figures of what the user may see,
    shared per scope (qingdao_groups.selectors). Group links are reversed once per page."""
    today = timezone.localdate()
    figures = home_figures(user=request.user, today=today)
    attention = group_attention_for_user(user=request.user, today=today)
    group_url = url_maker("groups:group-detail")
    context = {
        **figures,
        "groups": [{**group, "url": group_url(group["pk"])} for group in figures["groups"]],
        "attention": [(group_url(item.group.pk), item) for item in attention],
    }
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
