"""The public (OPAC) side of publishing: public data model and receiver (docs/publishing.md)."""
