from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StaffConfig(AppConfig):
    name = "shoka.staff"
    verbose_name = "Staff site"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from .roles import ensure_roles
        from .signin.lockout import audit_lockout

        post_migrate.connect(ensure_roles, sender=self)
        user_locked_out.connect(audit_lockout, dispatch_uid="shoka.staff.audit_lockout")
