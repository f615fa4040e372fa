from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _drop_district_choices(**kwargs) -> None:
    from django.core.cache import cache

    from members.selectors import DISTRICT_CHOICES_KEY

    cache.delete(DISTRICT_CHOICES_KEY)


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("机构与人员")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from members.models import District

        # A cache, not a rule: the list filters read districts from it (members.selectors).
        post_save.connect(_drop_district_choices, sender=District, dispatch_uid="district-choices")
        post_delete.connect(
            _drop_district_choices, sender=District, dispatch_uid="district-choices-del"
        )
