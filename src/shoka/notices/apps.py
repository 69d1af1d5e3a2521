from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NoticesConfig(AppConfig):
    name = "shoka.notices"
    verbose_name = "Notices"

    def ready(self) -> None:
        from .defaults import ensure_default_templates

        post_migrate.connect(ensure_default_templates, sender=self)
