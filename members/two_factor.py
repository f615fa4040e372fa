"""Two-factor sign-in (issue 12; 等保 2.0 level 3 asks for two factors, one cryptographic).

One place for who must use a second factor, how a device is enrolled and confirmed, how a code
is checked, the one-time recovery codes, and an administrator's reset of a lost device. The
devices are django-otp's (TOTP per RFC 6238 in an authenticator app; static tokens as recovery
codes); every change of them leaves a members.SecondFactorEvent, an append-only audit row.

The sign-in itself: the password form signs a person in (django-axes counts the failures); for
someone who must use a second factor, SecondFactorRequiredMiddleware then sends every request
to the verification page (or, with no device yet, to enrolment) until a code is given in this
session. Principals may enrol; once they have, their sign-in asks for the code too.
"""

from __future__ import annotations

import datetime
from base64 import b32encode
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import SecondFactorEvent, User
from qingdao_groups.core.rules import ALLOW, Decision, RuleRefusal
from qingdao_groups.lockout import client_address

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


# --- Who -------------------------------------------------------------------------------------


def is_required(user: User) -> bool:
    """Bureau staff, finance reviewers, the read-everything roles and administrators (the roles
    in TWO_FACTOR_REQUIRED_ROLES, every superuser and every admin-site user) must sign in with a
    second factor; API system accounts never sign in with a password at all."""
    if not user.is_authenticated or getattr(user, "is_system_account", False):
        return False
    return bool(
        user.is_superuser or user.is_staff or user.role in settings.TWO_FACTOR_REQUIRED_ROLES
    )


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_verify(user: User) -> bool:
    """This session must give a code before anything else: the person has to (their role) or
    chose to (enrolled), and has not yet."""
    if not user.is_authenticated or user.is_verified():
        return False
    return is_required(user) or is_enrolled(user)


def can_reset(actor: User, user: User) -> Decision:
    """A lost device is reset by a system administrator (or superuser), never by oneself: the
    person who lost it proves who they are to another administrator."""
    if not (actor.is_superuser or actor.role == User.Role.SYSADMIN):
        return Decision(False, _("只有系统管理员可以重置他人的两步验证。"))
    if actor.pk == user.pk:
        return Decision(False, _("不能重置自己的两步验证，请联系另一位系统管理员。"))
    return ALLOW


# --- Enrolment -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    secret: str  # base32, in groups of four, for typing into an app by hand
    qr_svg: str  # the otpauth:// address as an inline SVG QR code (no script, no request)


def enrolment_start(user: User) -> Enrolment:
    """The unconfirmed device this person is enrolling (one at a time: reused until confirmed,
    so reloading the page shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, title=_("身份验证器二维码")
    )
    return Enrolment(device=device, secret=grouped, qr_svg=svg)


def _event(user, kind, actor, request=None, reason="", now=None) -> SecondFactorEvent:
    return SecondFactorEvent.objects.create(
        user=user,
        kind=kind,
        actor=actor,
        reason=reason,
        address=client_address(request) if request is not None else None,
        at=now or timezone.now(),
    )


def enrolment_confirm(request, user: User, token: str) -> list[str]:
    """Confirm the device being enrolled with a code from the app: the earlier device (if any) is
    replaced, this session counts as verified, and ten new recovery codes are returned (to be
    shown once). Raises RuleRefusal when the code is wrong."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise RuleRefusal(_("绑定已过期，请重新扫描二维码。"), field="token")
    _check_allowed(device)
    if not device.verify_token(_digits(token)):
        raise RuleRefusal(_("验证码不正确，请核对手机上当前显示的 6 位数字后重试。"), field="token")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _issue_recovery_codes(user)
        _event(user, SecondFactorEvent.Kind.ENROLLED, user, request)
        _event(user, SecondFactorEvent.Kind.RECOVERY_ISSUED, user, request)
    otp_login(request, device)
    return codes


def _issue_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _n in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_renew(request, user: User) -> list[str]:
    """New recovery codes for a verified person; the old ones stop working."""
    if not user.is_verified() or not is_enrolled(user):
        raise RuleRefusal(_("请先完成两步验证。"))
    with transaction.atomic():
        codes = _issue_recovery_codes(user)
        _event(user, SecondFactorEvent.Kind.RECOVERY_ISSUED, user, request)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def disable(request, user: User) -> None:
    """A principal who chose a second factor may turn it off again; for the required roles it
    cannot be turned off (only replaced, or reset by an administrator)."""
    if is_required(user):
        raise RuleRefusal(_("您的角色必须使用两步验证，不能关闭。"))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _event(user, SecondFactorEvent.Kind.DISABLED, user, request)


def reset(request, *, actor: User, user: User, reason: str) -> None:
    """An administrator's reset after a lost device: the person's devices and recovery codes are
    removed (their next request asks them to enrol again), with the reason on record."""
    decision = can_reset(actor, user)
    if not decision:
        raise RuleRefusal(decision.reason)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise RuleRefusal(_("请写明重置原因（如何核实了本人身份）。"), field="reason")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _event(user, SecondFactorEvent.Kind.RESET, actor, request, reason=reason)


# --- Verification ----------------------------------------------------------------------------


def _digits(token: str) -> str:
    return "".join((token or "").split()).replace("-", "")


def _check_allowed(device) -> None:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        wait = ""
        until = getattr(device, "throttling_failure_timestamp", None)
        count = getattr(device, "throttling_failure_count", 0)
        if until is not None and count:
            delay = device.get_throttle_factor() * (2 ** (count - 1))
            left = until + datetime.timedelta(seconds=delay) - timezone.now()
            wait = max(1, int(left.total_seconds()) + 1)
        raise RuleRefusal(
            _("验证码错误次数过多，请 %(seconds)s 秒后再试。") % {"seconds": wait or 1},
            field="token",
        )


def verify(request, user: User, token: str) -> None:
    """Check a code from the authenticator (6 digits) or a recovery code (used up by this); on
    success this session is verified. Raises RuleRefusal with the reason otherwise."""
    token = _digits(token)
    if not token:
        raise RuleRefusal(_("请输入验证码。"), field="token")
    if token.isdigit():
        device = confirmed_totp(user)
        if device is None:
            raise RuleRefusal(_("您还没有绑定身份验证器。"), field="token")
        _check_allowed(device)
        if not device.verify_token(token):
            raise RuleRefusal(
                _("验证码不正确，请核对手机上当前显示的 6 位数字后重试。"), field="token"
            )
        otp_login(request, device)
        return
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is None:
        raise RuleRefusal(_("恢复码不正确或已用过。"), field="token")
    _check_allowed(recovery)
    if not recovery.verify_token(token.lower()):
        raise RuleRefusal(_("恢复码不正确或已用过。"), field="token")
    _event(user, SecondFactorEvent.Kind.RECOVERY_USED, user, request)
    otp_login(request, recovery)


def safe_next(request, default: str = "/") -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- Enforcement -----------------------------------------------------------------------------


def second_factor_not_required(view):
    """Mark a view a person may reach before giving their code (enrolment, verification, sign
    out, choosing a language)."""
    view.second_factor_required = False
    return view


class SecondFactorRequiredMiddleware:
    """After LoginRequiredMiddleware: a signed-in person who must give a code (must_verify) and
    has not is sent to the verification page, or to enrolment when they have no device yet; an
    API call on such a session gets a 403 problem. Views marked second_factor_not_required and
    the public ones (login_required = False) pass."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.TWO_FACTOR_ENFORCED:
            return None
        if not getattr(view_func, "second_factor_required", True):
            return None
        # The API's views are "public" to the login middleware (a key signs each call in, inside
        # the view); a call riding on a browser session is held to the session's rule here.
        api = request.path.startswith("/api/v1/")
        if not api and not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if not user.is_authenticated or not must_verify(user):
            return None
        if api:
            return JsonResponse(
                {
                    "type": "about:blank",
                    "title": _("需要两步验证"),
                    "status": 403,
                    "code": "second_factor_required",
                    "detail": _("请先在浏览器中完成两步验证。"),
                },
                status=403,
                content_type="application/problem+json",
            )
        name = "two-factor-verify" if is_enrolled(user) else "two-factor-enrol"
        target = reverse(name) + "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        response = HttpResponseRedirect(target)
        if request.headers.get("HX-Request"):
            response["HX-Redirect"] = target
        return response


def check_enforced_in_production(app_configs=None, **kwargs):
    """`manage.py check --deploy`: a deployment without the second factor for staff is an error
    (issue 12; DJANGO_TWO_FACTOR_ENFORCED must stay on)."""
    from django.core.checks import Error

    if settings.TWO_FACTOR_ENFORCED:
        return []
    return [
        Error(
            "TWO_FACTOR_ENFORCED is off: staff and administrators sign in with a password alone.",
            hint="Unset DJANGO_TWO_FACTOR_ENFORCED (it defaults to on).",
            id="members.E001",
        )
    ]
