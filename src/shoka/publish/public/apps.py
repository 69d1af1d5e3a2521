from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "shoka.publish.public"
    label = "public"
    verbose_name = "Public catalogue (OPAC side)"
