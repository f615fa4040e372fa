"""Form helpers shared by the apps: Bootstrap classes on every widget, nothing else."""


from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from qingdao_groups.core.forms import BootstrapFormMixin


class BootstrapAuthenticationForm(BootstrapFormMixin, AuthenticationForm):
    pass


class BootstrapPasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    pass
