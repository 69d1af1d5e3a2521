"""The staff site keeps no models of its own; this module exists so that Django sends the
app its post_migrate signal (roles are kept in step there)."""
