from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _drop_choice_caches(**kwargs) -> None:
    from members.selectors import drop_choice_caches

    drop_choice_caches()


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("机构与人员")

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_delete, post_save

        from members.two_factor import check_enforced_in_production

        checks.register(check_enforced_in_production, checks.Tags.security, deploy=True)

        from members.imports.export import SCHOOLS_EXPORT
        from members.models import Authority, District
        from qingdao_groups.core.exports import register_export

        register_export(SCHOOLS_EXPORT)  # the school list joins the one export helper (issue 8)

        # A cache, not a rule: the list filters read districts and authorities from it
        # (members.selectors).
        for model in (District, Authority):
            uid = model._meta.model_name
            post_save.connect(_drop_choice_caches, sender=model, dispatch_uid=f"{uid}-choices")
            post_delete.connect(
                _drop_choice_caches, sender=model, dispatch_uid=f"{uid}-choices-del"
            )
