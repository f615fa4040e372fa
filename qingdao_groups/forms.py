"""The sign-in and password forms, with Bootstrap classes and the bounds of every form."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qingdao_groups.core.forms import BootstrapFormMixin


class BootstrapAuthenticationForm(BootstrapFormMixin, AuthenticationForm):
    """A user name longer than any account's is refused by the form, before authentication and
    the login-failure record (whose column is 255 characters) see it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["max_length"] = _(
            "用户名最长 %(limit_value)d 个字符，请检查后重新输入。"
        )


class BootstrapPasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    """Rate-limited (issue 12): after PASSWORD_CHANGE_FAILURE_LIMIT wrong old passwords within
    PASSWORD_CHANGE_WINDOW the form refuses to check the old password until the window ends, so
    a left-open session cannot be used to guess it. Counted per person in the shared cache."""

    def _failures_key(self) -> str:
        return f"password-change-failures:{self.user.pk}"

    def clean_old_password(self):
        key = self._failures_key()
        window = int(settings.PASSWORD_CHANGE_WINDOW.total_seconds())
        if (cache.get(key) or 0) >= settings.PASSWORD_CHANGE_FAILURE_LIMIT:
            raise ValidationError(
                _("旧密码输入错误次数过多，请 %(minutes)d 分钟后再试。"),
                code="too_many_attempts",
                params={"minutes": window // 60},
            )
        try:
            old_password = super().clean_old_password()
        except ValidationError:
            if not cache.add(key, 1, timeout=window):
                try:
                    cache.incr(key)
                except ValueError:  # expired in between
                    cache.add(key, 1, timeout=window)
            raise
        cache.delete(key)
        return old_password
