"""Admission control for the public site (docs/opac-admission.md): per-client rate limits,
a per-process concurrency cap that sheds load, an allowlist for aggregators, and a statement
timeout on every database query. No models: nothing here keeps per-visitor rows."""
