"""Japanese-aware catalogue search on tantivy (DESIGN.md, "Search").

``analysis`` (pure text analysis, shared by indexing and querying), ``engine`` (the tantivy
schema and documents), ``query`` (the query language), ``service`` (search with facets),
``indexer`` (the single writer that keeps the index true to the database) and ``queue``
(changed ids, written in the same transaction as the change).
"""
