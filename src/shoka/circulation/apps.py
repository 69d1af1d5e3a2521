from django.apps import AppConfig


class CirculationConfig(AppConfig):
    name = "shoka.circulation"
    verbose_name = "Circulation"

    def ready(self) -> None:
        from shoka.catalogue.models import LoanCategory
        from shoka.config_cache import clear_on_change
        from shoka.patrons.models import PatronCategory

        from .models import LoanRule, PatronRule

        clear_on_change(LoanRule, PatronRule, LoanCategory, PatronCategory)
