"""shoka (書架): an integrated library system for public libraries."""

__version__ = "0.1.0"
