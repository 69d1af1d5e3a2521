from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "shoka.organisation"
    verbose_name = "Organisation and calendar"

    def ready(self) -> None:
        from shoka.config_cache import clear_on_change

        from . import models as m

        clear_on_change(m.Library, m.Branch, m.Location, m.ClosedPeriod, m.SpecialOpening)
