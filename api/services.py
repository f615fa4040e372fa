"""Registering API clients and issuing, rotating and revoking their keys (issue 11). Every
service is atomic, checks the person gate first and leaves history rows (who, when)."""

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api import keys
from api.models import ApiClient, ApiKey, Scope
from api.permissions import can_manage_api_clients
from members.models import Authority, School, User
from qingdao_groups.core.rules import RuleRefusal, require

KEY_DAYS_DEFAULT = 365
KEY_DAYS_MAX = 3 * 365


def _account_for(*, name: str, authority: Authority | None, school: School | None) -> User:
    """The client's system account: district (or city) staff of its authority, or a member
    principal of its school (the least a school's own system needs: its plans, its groups)."""
    username = f"api-{keys.generate().prefix}"
    user = User(
        username=username,
        first_name=name[:150],
        is_system_account=True,
        password=make_password(None),  # unusable: never signs in
    )
    if authority is not None:
        user.role = (
            User.Role.CITY_STAFF
            if authority.kind == Authority.Kind.CITY
            else User.Role.DISTRICT_STAFF
        )
        user.authority = authority
    else:
        user.role = User.Role.MEMBER_PRINCIPAL
        user.school = school
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _clean_scopes(scopes) -> list[str]:
    known = {s.value for s in Scope}
    chosen = sorted({str(s) for s in scopes or []})
    if not chosen:
        raise RuleRefusal(_("请至少选择一项权限范围。"), field="scopes")
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise RuleRefusal(_("未知的权限范围：%(s)s。") % {"s": "、".join(unknown)}, field="scopes")
    return chosen


def _expiry(days: int | None, now: datetime.datetime) -> datetime.datetime:
    days = KEY_DAYS_DEFAULT if days is None else days
    if not 1 <= days <= KEY_DAYS_MAX:
        raise RuleRefusal(
            _("密钥有效期应在 1 至 %(n)s 天之间。") % {"n": KEY_DAYS_MAX}, field="valid_days"
        )
    return now + datetime.timedelta(days=days)


@transaction.atomic
def api_client_register(
    *,
    name: str,
    scopes,
    actor: User,
    authority: Authority | None = None,
    school: School | None = None,
    contact: str = "",
    valid_days: int | None = None,
    now: datetime.datetime | None = None,
) -> tuple[ApiClient, keys.NewKey]:
    """A new client bound to one authority or one school, with its first key (returned once:
    only its hash is stored)."""
    require(can_manage_api_clients(actor))
    name = (name or "").strip()
    if not name:
        raise RuleRefusal(_("请填写接口客户端名称。"), field="name")
    if (authority is None) == (school is None):
        raise RuleRefusal(_("接口客户端须且只能属于一个部门或一所学校。"), field="authority")
    if authority is not None and not authority.is_education:
        raise RuleRefusal(_("只能为教育行政部门登记接口客户端。"), field="authority")
    chosen = _clean_scopes(scopes)
    now = now or timezone.now()
    client = ApiClient.objects.create(
        name=name,
        authority=authority,
        school=school,
        user=_account_for(name=name, authority=authority, school=school),
        scopes=chosen,
        contact=(contact or "").strip(),
        created_by=actor,
        created_at=now,
    )
    new = _issue(client, actor=actor, valid_days=valid_days, now=now)
    return client, new


def _issue(client: ApiClient, *, actor: User, valid_days: int | None, now) -> keys.NewKey:
    new = keys.generate()
    ApiKey.objects.create(
        client=client,
        prefix=new.prefix,
        secret_sha256=new.secret_sha256,
        created_by=actor,
        created_at=now,
        expires_at=_expiry(valid_days, now),
    )
    return new


def _locked_client(client: ApiClient) -> ApiClient:
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise RuleRefusal(_("该接口客户端已停用。"))
    return client


@transaction.atomic
def api_key_rotate(
    *,
    client: ApiClient,
    actor: User,
    valid_days: int | None = None,
    keep_old_hours: int = 0,
    now: datetime.datetime | None = None,
) -> keys.NewKey:
    """A new key for the client; the keys it had end now, or after `keep_old_hours` (at most
    72) so the client's system can switch over."""
    require(can_manage_api_clients(actor))
    if not 0 <= keep_old_hours <= 72:
        raise RuleRefusal(_("旧密钥保留时间应在 0 至 72 小时之间。"), field="keep_old_hours")
    now = now or timezone.now()
    client = _locked_client(client)
    ends = now + datetime.timedelta(hours=keep_old_hours)
    for key in client.keys.filter(revoked_at__isnull=True, expires_at__gt=ends):
        key.expires_at = ends
        if keep_old_hours == 0:
            key.revoked_at = now
        key._change_reason = "rotated"  # type: ignore[attr-defined]
        key.save(update_fields=["expires_at", "revoked_at"])
    return _issue(client, actor=actor, valid_days=valid_days, now=now)


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User, now: datetime.datetime | None = None) -> ApiKey:
    require(can_manage_api_clients(actor))
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = now or timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


@transaction.atomic
def api_client_revoke(
    *, client: ApiClient, actor: User, now: datetime.datetime | None = None
) -> ApiClient:
    """Stops the client: every key is revoked and its system account deactivated."""
    require(can_manage_api_clients(actor))
    now = now or timezone.now()
    client = _locked_client(client)
    client.revoked_at = now
    client.save(update_fields=["revoked_at"])
    for key in client.keys.filter(revoked_at__isnull=True):
        key.revoked_at = now
        key.save(update_fields=["revoked_at"])
    account = client.user
    account.is_active = False
    account.save(update_fields=["is_active"])
    return client


@transaction.atomic
def api_client_set_scopes(*, client: ApiClient, scopes, actor: User) -> ApiClient:
    require(can_manage_api_clients(actor))
    client = _locked_client(client)
    client.scopes = _clean_scopes(scopes)
    client.save(update_fields=["scopes"])
    return client
