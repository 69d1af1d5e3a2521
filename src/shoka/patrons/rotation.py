"""Key rotation: a new data key and index key; every encrypted field re-encrypted and every
blind index and search token rebuilt, in one transaction. The key file keeps the old keys
until the transaction has committed, so a failure at any point loses nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.security.keyring import get_keyring, reset_keyring_cache, write_key_file

from .models import Patron
from .services import _apply, _write_tokens, data_of


def rotate_keys(
    *, progress: Callable[[str], None] = lambda _m: None, actor: Actor | None = None
) -> int:
    actor = actor or Actor.cli()
    old = get_keyring()
    if old.path is None:
        raise RuntimeError("the key ring was not loaded from a file")
    path = Path(old.path)
    count = 0
    # durable: the old keys leave the key file once this commits, so it must not run inside
    # an outer transaction that could still roll back (Django refuses that nesting before
    # anything is written).
    with transaction.atomic(durable=True), audited_atomic():
        new = old.with_new_keys()
        write_key_file(path, new, overwrite=True)  # old keys kept until the commit
        reset_keyring_cache()
        progress(f"new data key v{new.active_data_key}, index key v{new.active_index_key}")
        for patron in (
            Patron.objects.select_for_update()
            .select_related("category", "home_branch")
            .order_by("pk")
        ):
            _apply(patron, data_of(patron))  # re-derives indexes with the new index key
            patron.save()  # every encrypted field is written with the new data key
            _write_tokens(patron)
            count += 1
            if count % 1000 == 0:
                progress(f"{count} patrons")
        # The notices' kept files (letters, postcards) are sealed with the data key too.
        from shoka.notices.files import reseal_all

        files = reseal_all(get_keyring())
        if files:
            progress(f"{files} kept notice file(s) sealed again")
        record(
            "keys.rotated",
            None,
            actor=actor,
            at=timezone.now(),
            data={
                "data_key": new.active_data_key,
                "index_key": new.active_index_key,
                "patrons": count,
                "kept_files": files,
            },
        )
    write_key_file(path, get_keyring().without_old_keys(), overwrite=True)
    reset_keyring_cache()
    return count
