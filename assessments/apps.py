from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each feature package plugs into the shared parts from its hooks module.
FEATURES = ("practice", "dossier", "reports", "cycles")


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("督导考核")

    def ready(self) -> None:
        from importlib import import_module

        for feature in FEATURES:
            import_module(f"assessments.{feature}.hooks")
