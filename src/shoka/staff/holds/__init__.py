"""The holds screens of the staff site (docs/staff-holds.md)."""
