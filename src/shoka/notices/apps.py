from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "shoka.notices"
    verbose_name = "Notices"
