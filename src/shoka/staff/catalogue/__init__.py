"""The catalogue screens of the staff site: search, records, items, labels
(docs/staff-catalogue.md)."""
