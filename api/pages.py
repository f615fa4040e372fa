"""The pages where the city's administrators register API clients and issue, rotate and revoke
keys (issue 11). A new key is shown once, on the page that follows its issue (kept in the
session for that one page only); afterwards only its prefix is known."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.forms import ClientForm, RotateForm
from api.models import ApiCall, ApiClient, ApiKey
from api.permissions import can_manage_api_clients
from api.services import api_client_register, api_client_revoke, api_key_revoke, api_key_rotate
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require

SHOWN_ONCE = "api_new_key"
CALLS_PAGE = 50


def _client(client_id: int) -> ApiClient:
    client = (
        ApiClient.objects.select_related("authority", "school", "user", "created_by")
        .filter(pk=client_id)
        .first()
    )
    if client is None:
        raise Http404
    return client


def client_list_view(request):
    require(can_manage_api_clients(request.user))
    clients = ApiClient.objects.select_related("authority", "school").order_by(
        "revoked_at", "name", "id"
    )
    page = KeyFirstPaginator(clients, 50).get_page(request.GET.get("page"))
    return render(request, "api/client_list.html", {"page_obj": page})


def client_create_view(request):
    require(can_manage_api_clients(request.user))
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, new = api_client_register(
                name=data["name"],
                scopes=data["scopes"],
                authority=data.get("authority"),
                school=data.get("school"),
                contact=data.get("contact", ""),
                valid_days=data["valid_days"],
                actor=request.user,
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            request.session[SHOWN_ONCE] = {"client": client.pk, "token": new.token}
            messages.success(request, _("已登记接口客户端“%(name)s”。") % {"name": client.name})
            return redirect("api:client-detail", client_id=client.pk)
    return render(request, "api/client_form.html", {"form": form})


def client_detail_view(request, client_id: int):
    require(can_manage_api_clients(request.user))
    client = _client(client_id)
    shown = request.session.pop(SHOWN_ONCE, None)
    new_token = shown["token"] if shown and shown.get("client") == client.pk else None
    now = timezone.now()
    keys = list(client.keys.select_related("created_by").order_by("-created_at", "-id"))
    for key in keys:
        key.state = key.state_on(now)
    calls = KeyFirstPaginator(
        ApiCall.objects.filter(client=client).order_by("-at", "-id"), CALLS_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "api/client_detail.html",
        {
            "client": client,
            "keys": keys,
            "new_token": new_token,
            "calls": calls,
            "rotate_form": RotateForm() if client.is_active else None,
        },
    )


@require_POST
def key_rotate_view(request, client_id: int):
    require(can_manage_api_clients(request.user))
    client = _client(client_id)
    form = RotateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("api:client-detail", client_id=client.pk)
    try:
        new = api_key_rotate(
            client=client,
            actor=request.user,
            valid_days=form.cleaned_data["valid_days"],
            keep_old_hours=form.cleaned_data["keep_old_hours"],
        )
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        request.session[SHOWN_ONCE] = {"client": client.pk, "token": new.token}
        messages.success(request, _("已签发新密钥。"))
    return redirect("api:client-detail", client_id=client.pk)


@require_POST
def key_revoke_view(request, client_id: int, key_id: int):
    require(can_manage_api_clients(request.user))
    key = ApiKey.objects.filter(pk=key_id, client_id=client_id).first()
    if key is None:
        raise Http404
    api_key_revoke(key=key, actor=request.user)
    messages.success(request, _("已吊销密钥 %(key)s。") % {"key": key})
    return redirect("api:client-detail", client_id=client_id)


@require_POST
def client_revoke_view(request, client_id: int):
    require(can_manage_api_clients(request.user))
    client = _client(client_id)
    try:
        api_client_revoke(client=client, actor=request.user)
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已停用接口客户端“%(name)s”，其全部密钥已吊销。") % {"name": client.name}
        )
    return redirect("api:client-detail", client_id=client.pk)
