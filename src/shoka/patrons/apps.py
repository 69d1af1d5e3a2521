from django.apps import AppConfig


class PatronsConfig(AppConfig):
    name = "shoka.patrons"
    verbose_name = "Patrons"
