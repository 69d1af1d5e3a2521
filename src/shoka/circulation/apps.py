from django.apps import AppConfig


class CirculationConfig(AppConfig):
    name = "shoka.circulation"
    verbose_name = "Circulation"
