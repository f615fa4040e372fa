from django.apps import AppConfig


class QingdaoGroupsConfig(AppConfig):
    name = "qingdao_groups"
    verbose_name = "Qingdao groups"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_migrate, post_save

        from qingdao_groups.core import retention  # noqa: F401  (its system check)
        from qingdao_groups.core.append_only import install_after_migrate

        # Audit tables are append-only on PostgreSQL (issue 12): a history table a later
        # migration makes gets its trigger at the end of that migrate.
        post_migrate.connect(
            install_after_migrate, sender=self, dispatch_uid="qingdao_groups.append_only"
        )

        from groups.charter.models import GroupDocument
        from groups.registry.models import CouncilSeat, EducationGroup, Membership
        from members.models import Authority, School
        from qingdao_groups.core.figures import registry_changed
        from qingdao_groups.middleware import remember_language_chosen_before_login, stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="qingdao_groups.stamp_login")
        user_logged_in.connect(
            remember_language_chosen_before_login, dispatch_uid="qingdao_groups.login_language"
        )
        # A cache, not a rule: the home page's shared figures (qingdao_groups.selectors) count
        # these rows (a group document: the charter gap, G-4; a council seat: the chief's, G-3), so any saved or deleted one makes them stale. Writes that bypass save()
        # call registry_changed themselves (members.imports.service).
        for model in (
            Authority,
            School,
            EducationGroup,
            Membership,
            GroupDocument,
            CouncilSeat,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    registry_changed,
                    sender=model,
                    dispatch_uid=f"registry-changed-{signal is post_save}-{model.__name__}",
                )
        # What a person or a client sees also follows the groups granted one by one (django-
        # guardian, directly or through an auth group): the API's cached registry lists are
        # kept per caller under the generation (api.base.SharedRegistryList), so a grant given
        # or taken back, or a changed auth group, starts a new one too.
        from django.db.models.signals import m2m_changed
        from guardian.models import GroupObjectPermission, UserObjectPermission

        from members.models import User

        for model in (UserObjectPermission, GroupObjectPermission):
            for signal in (post_save, post_delete):
                signal.connect(
                    registry_changed,
                    sender=model,
                    dispatch_uid=f"grants-changed-{signal is post_save}-{model.__name__}",
                )
        m2m_changed.connect(
            registry_changed, sender=User.groups.through, dispatch_uid="grants-changed-user-groups"
        )
        # The auditors' desk's export (issue 10): the export helper's list "audit-log", and how
        # an export record reads in the audit log.
        from qingdao_groups.core.audit import AUDIT_EXPORT, describe_export, register_audit_kind
        from qingdao_groups.core.exports import register_export
        from qingdao_groups.models import ExportRecord

        register_export(AUDIT_EXPORT)
        register_audit_kind(
            ExportRecord, fields=("key", "label", "fmt", "rows", "params"), describe=describe_export
        )
