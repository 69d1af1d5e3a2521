"""WSGI entry point. DJANGO_SETTINGS_MODULE selects the zone (staff or opac)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoka.settings.staff")
application = get_wsgi_application()
