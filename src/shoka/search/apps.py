from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "shoka.search"
    verbose_name = "Search"
