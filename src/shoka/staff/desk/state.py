"""What the desk remembers between scans, kept in the (server-side) session by id only:
the branch the desk works for and the patron being served. Nothing personal goes into the
URL, the page title or the session: the card number is posted, the patron is kept by id."""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase

from shoka.organisation.models import Branch, BranchKind
from shoka.patrons.models import Patron

BRANCH_KEY = "desk.branch"
PATRON_KEY = "desk.patron"


def active_branches() -> list[Branch]:
    return list(
        Branch.objects.filter(is_active=True).select_related("library").order_by("library", "id")
    )


def default_branch(user: object) -> Branch | None:
    """The user's home branch when the user model has one, else the main library."""
    home = getattr(user, "home_branch", None)
    if isinstance(home, Branch) and home.is_active:
        return home
    branches = Branch.objects.filter(is_active=True).select_related("library")
    return (
        branches.filter(kind=BranchKind.MAIN).order_by("library", "id").first()
        or branches.order_by("library", "id").first()
    )


def desk_branch(session: SessionBase, user: object) -> Branch | None:
    """The branch chosen for this desk session, defaulting to `default_branch`."""
    branch_id = session.get(BRANCH_KEY)
    if branch_id is not None:
        found = (
            Branch.objects.filter(pk=branch_id, is_active=True).select_related("library").first()
        )
        if found is not None:
            return found
    branch = default_branch(user)
    if branch is not None:
        session[BRANCH_KEY] = branch.pk
    return branch


def choose_branch(session: SessionBase, branch: Branch) -> None:
    if session.get(BRANCH_KEY) != branch.pk:
        session[BRANCH_KEY] = branch.pk
        # A patron of another library cannot be served from here.
        session.pop(PATRON_KEY, None)


def current_patron(session: SessionBase, branch: Branch | None) -> Patron | None:
    patron_id = session.get(PATRON_KEY)
    if patron_id is None or branch is None:
        return None
    return (
        Patron.objects.filter(pk=patron_id, library_id=branch.library_id)
        .select_related("category", "home_branch")
        .first()
    )


def serve_patron(session: SessionBase, patron: Patron) -> None:
    session[PATRON_KEY] = patron.pk


def next_patron(session: SessionBase) -> None:
    session.pop(PATRON_KEY, None)
