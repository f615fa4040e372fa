from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("督导考核")

    def ready(self) -> None:
        # Each feature plugs into the shared parts from its hooks module (one line each).
        from assessments.cycles import hooks as cycles_hooks  # noqa: F401
