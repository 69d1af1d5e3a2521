from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "shoka.admission"
    verbose_name = "Admission control (OPAC)"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .dbtimeout import install_statement_timeout

        connection_created.connect(install_statement_timeout, dispatch_uid="shoka-stmt-timeout")
