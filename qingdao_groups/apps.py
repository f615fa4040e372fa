from django.apps import AppConfig


class QingdaoGroupsConfig(AppConfig):
    name = "qingdao_groups"
    verbose_name = "Qingdao groups"
