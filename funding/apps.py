from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("经费")

    def ready(self) -> None:
        # Each feature plugs into the shared parts (documents, archive, inbox, exports) from
        # its hooks module.
        from funding import hooks  # noqa: F401
