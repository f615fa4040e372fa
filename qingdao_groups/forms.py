"""The sign-in and password forms, with Bootstrap classes and the bounds of every form."""

from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
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
    pass
