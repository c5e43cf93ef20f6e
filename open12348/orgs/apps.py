from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "open12348.orgs"
    verbose_name = "组织与站点"
