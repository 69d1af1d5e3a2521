from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "shoka.organisation"
    verbose_name = "Organisation and calendar"
