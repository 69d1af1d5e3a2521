from django.apps import AppConfig


class PublishConfig(AppConfig):
    name = "shoka.publish"
    verbose_name = "Publishing (staff side)"
