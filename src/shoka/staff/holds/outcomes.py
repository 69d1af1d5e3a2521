"""What to do with an item after a holds action (cancel, clear the shelf, receive): the same
words as the desk's return mode, with the slip to print. Kept in the session between the
POST and the page it redirects to (ids, barcodes and pickup numbers only; no names)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse
from django.utils.translation import gettext as _

from shoka.circulation.routing import Route, Routing

SESSION_KEY = "holds.outcomes"


@dataclass(frozen=True)
class Outcome:
    text: str
    barcode: str = ""
    action: bool = False  # something to do with the item (not only information)
    slip_url: str = ""
    slip_label: str = ""
    error: bool = False


def of_routing(routing: Routing | None, *, barcode: str, item_id: int) -> Outcome:
    """Where the item goes now; None: it is still travelling and is routed when it arrives."""
    if routing is None:
        return Outcome(_("The item is still in transit: it is routed when it arrives."), barcode)
    if routing.route == Route.HOLD_SHELF and routing.hold is not None:
        return Outcome(
            _("Put it on the hold shelf: pickup number {number}").format(
                number=routing.hold.pickup_number
            ),
            barcode,
            action=True,
            slip_url=reverse("staff:desk:hold_slip", args=[routing.hold.pk]),
            slip_label=_("Print the hold slip"),
        )
    if routing.route == Route.TRANSIT:
        destination = routing.destination.name if routing.destination else "?"
        return Outcome(
            _("Send it in transit to {branch}").format(branch=destination),
            barcode,
            action=True,
            slip_url=reverse("staff:desk:transit_slip", args=[item_id]),
            slip_label=_("Print the transit slip"),
        )
    return Outcome(_("Put it back on the shelf"), barcode, action=True)


def tell(session: SessionBase, *outcomes: Outcome) -> None:
    session[SESSION_KEY] = [*session.get(SESSION_KEY, []), *(asdict(o) for o in outcomes)]


def told(session: SessionBase) -> list[Outcome]:
    return [Outcome(**o) for o in session.pop(SESSION_KEY, [])]
