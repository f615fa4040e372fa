from django.apps import AppConfig


class QingdaoGroupsConfig(AppConfig):
    name = "qingdao_groups"
    verbose_name = "Qingdao groups"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from qingdao_groups.middleware import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="qingdao_groups.stamp_login")
