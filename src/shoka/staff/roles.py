"""Staff roles as Django groups, kept in step with the code after every migrate.

administrator — everything, including configuration and overrides;
librarian     — the desk: patrons, circulation, holds, overrides with a reason;
cataloguer    — bibliographic records and items;
auditor       — read-only: audit and access logs, reports.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

ROLES: dict[str, list[str]] = {
    "administrator": ["*"],
    "librarian": [
        "patrons.view_patron",
        "patrons.add_patron",
        "patrons.change_patron",
        "circulation.view_loan",
        "circulation.add_loan",
        "circulation.change_loan",
        "circulation.view_hold",
        "circulation.add_hold",
        "circulation.change_hold",
        "circulation.override_refusal",
        "catalogue.view_bib",
        "catalogue.view_item",
        # The notices screens (staff/notices): the notices, their lines, calls marked done.
        "notices.view_notice",
        "notices.change_notice",
        "notices.view_noticeloan",
        "notices.view_printbatch",
    ],
    "cataloguer": [
        "catalogue.view_bib",
        "catalogue.add_bib",
        "catalogue.change_bib",
        "catalogue.view_item",
        "catalogue.add_item",
        "catalogue.change_item",
    ],
    "auditor": ["audit.view_auditevent", "audit.view_accessevent"],
}

SHOKA_APPS = ("organisation", "catalogue", "patrons", "circulation", "notices", "audit")


def ensure_roles(**_: Any) -> None:
    for role, codes in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        if codes == ["*"]:
            perms = list(Permission.objects.filter(content_type__app_label__in=SHOKA_APPS))
        else:
            perms = []
            for code in codes:
                app, codename = code.split(".")
                perms.extend(
                    Permission.objects.filter(content_type__app_label=app, codename=codename)
                )
        group.permissions.set(perms)
