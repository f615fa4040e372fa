from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("督导考核")

    def ready(self) -> None:
        from assessments.reports import hooks  # noqa: F401 - registers the report document kind
