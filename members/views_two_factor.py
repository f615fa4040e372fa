"""Two-factor pages (issue 12): enrol an authenticator, give a code after the password, see and
renew recovery codes, turn it off (principals only), and an administrator's reset of a lost
device. Thin: the rules are members.two_factor's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import two_factor
from members.forms import SecondFactorEnrolForm, SecondFactorResetForm, SecondFactorTokenForm
from members.models import SecondFactorEvent, User
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require

# Recovery codes are shown on the page that made them, once: kept in the session for that view.
CODES_SESSION_KEY = "qg_recovery_codes"


def _show_codes(request, codes: list[str]):
    request.session[CODES_SESSION_KEY] = codes
    return redirect("two-factor-codes")


@two_factor.second_factor_not_required
@login_required
def enrol_view(request):
    """Scan the QR code, type the code: a verified person may also replace their device here."""
    user = request.user
    if two_factor.is_enrolled(user) and not user.is_verified():
        return redirect("two-factor-verify")
    form = SecondFactorEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.enrolment_confirm(request, user, form.cleaned_data["token"])
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("身份验证器已绑定。请保存下面的恢复码。"))
            request.session["qg_after_codes"] = two_factor.safe_next(request)
            return _show_codes(request, codes)
    enrolment = two_factor.enrolment_start(user)
    return render(
        request,
        "members/two_factor/enrol.html",
        {
            "form": form,
            "enrolment": enrolment,
            "required": two_factor.is_required(user),
            "replacing": two_factor.is_enrolled(user),
            "next": two_factor.safe_next(request, ""),
        },
    )


@two_factor.second_factor_not_required
@login_required
def verify_view(request):
    user = request.user
    if user.is_verified():
        return redirect(two_factor.safe_next(request))
    if not two_factor.is_enrolled(user):
        return redirect("two-factor-enrol")
    form = SecondFactorTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.verify(request, user, form.cleaned_data["token"])
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            left = two_factor.recovery_codes_left(user)
            if left <= 3:
                messages.warning(
                    request,
                    _("您只剩 %(n)d 个恢复码，请在“两步验证”页面重新生成。") % {"n": left},
                )
            return redirect(two_factor.safe_next(request))
    return render(
        request,
        "members/two_factor/verify.html",
        {"form": form, "next": two_factor.safe_next(request, "")},
    )


@login_required
def settings_view(request):
    user = request.user
    events = SecondFactorEvent.objects.filter(user=user).select_related("actor")[:10]
    return render(
        request,
        "members/two_factor/settings.html",
        {
            "enrolled": two_factor.is_enrolled(user),
            "required": two_factor.is_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "events": events,
        },
    )


@login_required
def codes_view(request):
    """The recovery codes just made, shown once (a reload shows them no more)."""
    codes = request.session.pop(CODES_SESSION_KEY, None)
    after = request.session.pop("qg_after_codes", None)
    if not codes:
        return redirect("two-factor-settings")
    return render(request, "members/two_factor/codes.html", {"codes": codes, "after": after or "/"})


@require_POST
@login_required
def codes_renew_view(request):
    try:
        codes = two_factor.recovery_codes_renew(request, request.user)
    except RuleRefusal as exc:
        messages.error(request, exc.message)
        return redirect("two-factor-settings")
    messages.success(request, _("已生成新的恢复码，原有恢复码全部作废。"))
    return _show_codes(request, codes)


@require_POST
@login_required
def disable_view(request):
    try:
        two_factor.disable(request, request.user)
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("两步验证已关闭。"))
    return redirect("two-factor-settings")


@login_required
def reset_view(request, user_id: int):
    """An administrator resets the second factor of a person who lost their device."""
    person = get_object_or_404(User, pk=user_id, is_system_account=False)
    require(two_factor.can_reset(request.user, person))
    form = SecondFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.reset(
                request, actor=request.user, user=person, reason=form.cleaned_data["reason"]
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(
                request,
                _("已重置 %(name)s 的两步验证；其下次登录时需重新绑定身份验证器。")
                % {"name": person.get_full_name() or person.username},
            )
            return redirect("two-factor-reset", user_id=person.pk)
    return render(
        request,
        "members/two_factor/reset.html",
        {
            "form": form,
            "person": person,
            "enrolled": two_factor.is_enrolled(person),
            "events": SecondFactorEvent.objects.filter(user=person).select_related("actor")[:20],
        },
    )
