from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StaffConfig(AppConfig):
    name = "shoka.staff"
    verbose_name = "Staff site"

    def ready(self) -> None:
        from .roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
