"""Publishing the catalogue from the staff zone to the public (OPAC) zone (docs/publishing.md).

Staff side (app ``shoka.publish``, staff settings only): ``allowlist`` (the one list of
public fields), ``queue`` (changed bib ids, written in the changing transaction),
``builder`` (numbered changesets), ``signing`` (Ed25519 keys, canonical JSON) and
``delivery`` (push over HTTP(S) with retries and gap re-sending).

Public side (app ``shoka.publish.public``, OPAC settings only): the public data model and the
receiver that verifies, checks and applies changesets in sequence order.

``allowlist`` and ``signing`` import no model, so both sides share them.
"""
