from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

FEATURES = ("registry", "applications", "cards", "filings", "enrollment", "charter")


class GroupsConfig(AppConfig):
    name = "groups"
    label = "groups"
    verbose_name = _("教育集团")

    def ready(self) -> None:
        # Each feature plugs its timeline events, inbox items and document owners into the
        # shared parts of qingdao_groups.core from its hooks module.
        from importlib import import_module

        for feature in FEATURES:
            try:
                import_module(f"groups.{feature}.hooks")
            except ModuleNotFoundError as exc:
                if exc.name != f"groups.{feature}.hooks":
                    raise
            try:
                import_module(f"groups.{feature}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"groups.{feature}.tasks":
                    raise
