from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "shoka.catalogue"
    verbose_name = "Catalogue"
