"""Patron self-service (docs/opac-self-service.md): signing in with card number and PIN, the
lockout after repeated wrong PINs, sessions, and the patron's own loans and holds.

Every action goes through the circulation services (renew, place_hold, cancel_hold), so the
same rules apply as at the desk, with the patron as the actor ("patron:<id>") in the audit
log. Nothing here can reach another patron's loans or holds: every lookup is by the session's
patron.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.catalogue.models import Bib
from shoka.circulation.errors import CirculationRefused
from shoka.circulation.facts import load_policy, local_date, patron_facts
from shoka.circulation.holds import cancel_hold, place_hold
from shoka.circulation.loans import renew
from shoka.circulation.models import ACTIVE_HOLD, Hold, HoldStatus, Loan
from shoka.circulation.policy import Refusal, RefusalCode, RenewalContext, renewal_refusals
from shoka.organisation.models import Branch, BranchKind, Library
from shoka.patrons.indexes import normalize_card, value_index
from shoka.patrons.models import NotifyChannel, Patron, PatronStatus
from shoka.patrons.services import check_pin, find_patron_by_card, hash_pin

from .models import CardLockout, PatronSession, PinFailure, SeenNonce

LOCKOUT_PURPOSE = "pin-lockout"


# --- settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LockoutPolicy:
    failures: int = 5  # wrong PINs for one card within `window` …
    window: dt.timedelta = dt.timedelta(minutes=15)
    lock: dt.timedelta = dt.timedelta(minutes=30)  # … lock it for this long


def lockout_policy() -> LockoutPolicy:
    conf = getattr(settings, "SHOKA_PIN_LOCKOUT", {}) or {}
    return LockoutPolicy(
        failures=int(conf.get("failures", 5)),
        window=dt.timedelta(minutes=float(conf.get("window_minutes", 15))),
        lock=dt.timedelta(minutes=float(conf.get("lock_minutes", 30))),
    )


def session_idle() -> dt.timedelta:
    return dt.timedelta(minutes=float(getattr(settings, "SHOKA_PATRON_SESSION_MINUTES", 30)))


def session_max() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "SHOKA_PATRON_SESSION_MAX_HOURS", 4)))


# --- signing in ---------------------------------------------------------------------------


def card_key(card: str) -> str:
    """The card's keyed blind index for counting wrong PINs (no card number in clear)."""
    return value_index(LOCKOUT_PURPOSE, normalize_card(card) or "-")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignIn:
    """The outcome: a token (shown once; only its hash is stored), or why not."""

    token: str = ""
    expires_at: dt.datetime | None = None
    refused: str = ""  # "" | "invalid" | "locked"
    locked_until: dt.datetime | None = None


_dummy_hash: str | None = None


def _spend_pin_check(pin: str) -> None:
    """An unknown card costs the same PIN check as a known one (no timing oracle)."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_pin("00000000")
    check_pin(Patron(pin_hash=_dummy_hash), pin or "0")


def _library() -> Library | None:
    return Library.objects.order_by("id").first()


def sign_in(card: str, pin: str, *, at: dt.datetime) -> SignIn:
    """Check a card number and PIN; on success open a session. Wrong PINs (and unknown cards)
    count against the card; the fifth within the window locks it (LockoutPolicy)."""
    policy = lockout_policy()
    key = card_key(card)
    with audited_atomic():
        lock = CardLockout.objects.select_for_update().filter(card_key=key).first()
        if lock is not None and lock.locked_until > at:
            return SignIn(refused="locked", locked_until=lock.locked_until)
        library = _library()
        patron = find_patron_by_card(library, card) if library and card.strip() else None
        if patron is None:
            _spend_pin_check(pin)
            ok = False
        else:
            ok = check_pin(patron, pin) and patron.status != PatronStatus.WITHDRAWN
        if not ok or patron is None:
            return _failed(key, patron, policy, at=at)
        PinFailure.objects.filter(card_key=key).delete()
        if lock is not None:
            lock.delete()
        token = secrets.token_urlsafe(32)
        session = PatronSession.objects.create(
            token_hash=token_hash(token),
            patron=patron,
            created_at=at,
            last_used_at=at,
            expires_at=at + min(session_idle(), session_max()),
        )
        record("selfservice.signed_in", patron, actor=Actor.for_patron(patron.pk), at=at)
        return SignIn(token=token, expires_at=session.expires_at)


def _failed(key: str, patron: Patron | None, policy: LockoutPolicy, *, at: dt.datetime) -> SignIn:
    PinFailure.objects.create(card_key=key, at=at)
    recent = PinFailure.objects.filter(card_key=key, at__gt=at - policy.window).count()
    actor = Actor.system("patron-api")
    if recent < policy.failures:
        if patron is not None:
            record("selfservice.pin_wrong", patron, actor=actor, at=at, data={"count": recent})
        return SignIn(refused="invalid")
    until = at + policy.lock
    CardLockout.objects.update_or_create(
        card_key=key, defaults={"locked_at": at, "locked_until": until}
    )
    PinFailure.objects.filter(card_key=key).delete()
    # The lockout is recorded whether or not the card exists (someone is guessing).
    target: Any = patron if patron is not None else ("selfservice.cardlockout", key[:12])
    record("selfservice.card_locked", target, actor=actor, at=at, data={"until": until.isoformat()})
    return SignIn(refused="locked", locked_until=until)


def session_for(token: str, *, at: dt.datetime) -> PatronSession | None:
    """The open session of a token, its expiry moved on (idle timeout, up to the maximum)."""
    if not token or len(token) > 200:
        return None
    session = (
        PatronSession.objects.select_related("patron", "patron__category", "patron__home_branch")
        .filter(token_hash=token_hash(token), ended_at__isnull=True, expires_at__gt=at)
        .first()
    )
    if session is None:
        return None
    expires = min(at + session_idle(), session.created_at + session_max())
    if expires > session.created_at:
        PatronSession.objects.filter(pk=session.pk).update(last_used_at=at, expires_at=expires)
        session.expires_at = expires
    return session


def sign_out(session: PatronSession, *, at: dt.datetime) -> None:
    with audited_atomic():
        PatronSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=at)
        record(
            "selfservice.signed_out",
            session.patron,
            actor=Actor.for_patron(session.patron_id),
            at=at,
        )


def purge(*, at: dt.datetime) -> int:
    """Delete ended and expired sessions, old failures and lockouts, and old nonces."""
    policy = lockout_policy()
    n = PatronSession.objects.filter(Q(ended_at__isnull=False) | Q(expires_at__lte=at)).delete()[0]
    n += PinFailure.objects.filter(at__lte=at - policy.window).delete()[0]
    n += CardLockout.objects.filter(locked_until__lte=at).delete()[0]
    n += SeenNonce.objects.filter(at__lte=at - dt.timedelta(minutes=10)).delete()[0]
    return n


def remember_nonce(nonce: str, *, at: dt.datetime) -> bool:
    """False when the nonce was seen before (a replayed request)."""
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            SeenNonce.objects.create(nonce=nonce, at=at)
    except IntegrityError:
        return False
    if secrets.randbelow(100) == 0:  # now and then, forget what can no longer matter
        purge(at=at)
    return True


# --- what the patron sees ---------------------------------------------------------------


def _refusals(refusals: list[Refusal]) -> list[dict[str, str]]:
    return [{"code": str(r.code), "message": r.message} for r in refusals]


def loans(patron: Patron, *, at: dt.datetime) -> list[dict[str, Any]]:
    """The patron's open loans, soonest due first, each renewable or with the reasons not."""
    today = local_date(at)
    policy = load_policy(patron.library_id)
    facts = patron_facts(patron, today)
    open_loans = list(
        Loan.objects.filter(patron=patron, returned_at__isnull=True)
        .select_related("item__bib", "item__loan_category", "branch")
        .order_by("due_on", "id")
    )
    waiting = dict(
        Hold.objects.filter(
            bib_id__in={loan.item.bib_id for loan in open_loans}, status=HoldStatus.WAITING
        )
        .values_list("bib_id")
        .annotate(n=Count("id"))
    )
    lines = []
    for loan in open_loans:
        item = loan.item
        ctx = RenewalContext(
            today=today,
            patron=facts,
            renewals_done=loan.renewals,
            holds_waiting=waiting.get(item.bib_id, 0),
            loan_terms=policy.loan_terms(facts.category, item.loan_category.code, loan.branch.code),
            patron_terms=policy.patron_terms(facts.category, loan.branch.code),
        )
        refused = renewal_refusals(ctx)
        lines.append(
            {
                "id": loan.pk,
                "record": item.bib_id,
                "title": item.bib.title,
                "due_on": loan.due_on.isoformat(),
                "overdue": loan.due_on < today,
                "renewals": loan.renewals,
                "renewable": not refused,
                "refusals": _refusals(refused),
            }
        )
    return lines


def _branch_json(branch: Branch) -> dict[str, str]:
    return {"code": branch.code, "name": branch.name, "name_en": branch.name_en}


def _position(hold: Hold) -> int | None:
    """The hold's place among the title's waiting holds (1 = next); None once trapped."""
    if hold.status != HoldStatus.WAITING:
        return None
    ahead = Hold.objects.filter(bib_id=hold.bib_id, status=HoldStatus.WAITING).filter(
        Q(placed_at__lt=hold.placed_at) | Q(placed_at=hold.placed_at, id__lt=hold.pk)
    )
    return ahead.count() + 1


def hold_json(hold: Hold) -> dict[str, Any]:
    return {
        "id": hold.pk,
        "record": hold.bib_id,
        "title": hold.bib.title,
        "status": hold.status,
        "position": _position(hold),
        "pickup_branch": _branch_json(hold.pickup_branch),
        "notify_channel": hold.notify_channel,
        "placed_on": local_date(hold.placed_at).isoformat(),
        "expires_on": hold.expires_on.isoformat() if hold.expires_on else None,
        "pickup_number": hold.pickup_number if hold.status == HoldStatus.READY else "",
    }


def holds(patron: Patron) -> list[dict[str, Any]]:
    active = (
        Hold.objects.filter(patron=patron, status__in=ACTIVE_HOLD)
        .select_related("bib", "pickup_branch")
        .order_by("placed_at", "id")
    )
    return [hold_json(h) for h in active]


def hold_channels(patron: Patron) -> list[str]:
    """The ways this patron can be told a hold is ready (email only with an address)."""
    channels = [NotifyChannel.EMAIL] if patron.email else []
    if patron.phone:
        channels.append(NotifyChannel.PHONE)
    channels.append(NotifyChannel.POSTCARD)
    return [str(c) for c in channels]


def pickup_branches(library_id: int) -> list[Branch]:
    return list(
        Branch.objects.filter(library_id=library_id, is_active=True)
        .exclude(kind=BranchKind.BOOKMOBILE)
        .order_by("id")
    )


def hold_options(patron: Patron) -> dict[str, Any]:
    channels = hold_channels(patron)
    default = patron.notify_channel if patron.notify_channel in channels else channels[-1]
    return {
        "pickup_branches": [_branch_json(b) for b in pickup_branches(patron.library_id)],
        "default_pickup": patron.home_branch.code,
        "channels": channels,
        "default_channel": default,
    }


# --- actions ----------------------------------------------------------------------------


class NotFound(Exception):  # noqa: N818 — an answer, not a crash
    """No such loan or hold of this patron (another patron's looks the same)."""


@dataclass(frozen=True)
class BadRequest(Exception):  # noqa: N818
    errors: dict[str, str] = field(default_factory=dict)


def renew_loan(patron: Patron, loan_id: int, *, at: dt.datetime) -> dict[str, Any]:
    loan = (
        Loan.objects.filter(pk=loan_id, patron=patron, returned_at__isnull=True)
        .select_related("item")
        .first()
    )
    if loan is None:
        raise NotFound
    with audited_atomic():
        result = renew(loan.item, actor=Actor.for_patron(patron.pk), at=at)
        if result.loan.pk != loan.pk or result.loan.patron_id != patron.pk:
            # Returned and lent again between the lookup and the lock: not this loan.
            raise NotFound
    return {"id": loan.pk, "due_on": result.loan.due_on.isoformat()}


def place(
    patron: Patron, record_id: int, pickup: str, channel: str, *, at: dt.datetime
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    bib = Bib.objects.filter(pk=record_id, library_id=patron.library_id).first()
    if bib is None:
        raise NotFound
    branch = Branch.objects.filter(library_id=patron.library_id, code=pickup).first()
    if branch is None:
        raise CirculationRefused([Refusal(RefusalCode.PICKUP_BRANCH_INVALID)])
    if channel not in hold_channels(patron):
        errors["notify_channel"] = "unknown or unavailable notification channel"
    if errors:
        raise BadRequest(errors)
    hold = place_hold(
        bib,
        patron,
        pickup_branch=branch,
        actor=Actor.for_patron(patron.pk),
        at=at,
        notify_channel=channel,
    )
    hold = Hold.objects.select_related("bib", "pickup_branch").get(pk=hold.pk)
    return hold_json(hold)


def cancel(patron: Patron, hold_id: int, *, at: dt.datetime) -> None:
    hold = Hold.objects.filter(pk=hold_id, patron=patron).select_related("bib").first()
    if hold is None:
        raise NotFound
    cancel_hold(hold, actor=Actor.for_patron(patron.pk), at=at, by="patron")
