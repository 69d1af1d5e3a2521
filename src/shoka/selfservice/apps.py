from django.apps import AppConfig


class SelfServiceConfig(AppConfig):
    """Patron self-service on the staff side: the sessions the OPAC's account pages use and
    the PIN lockout (docs/opac-self-service.md). Never installed on the OPAC."""

    name = "shoka.selfservice"
    label = "selfservice"
    verbose_name = "Patron self-service"
