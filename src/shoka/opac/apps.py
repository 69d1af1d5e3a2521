from django.apps import AppConfig


class OpacConfig(AppConfig):
    name = "shoka.opac"
    verbose_name = "Public catalogue (OPAC)"
