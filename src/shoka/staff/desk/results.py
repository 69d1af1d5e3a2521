"""What a scan did, in the desk's words: a headline, details, the refusals from the service
(their own texts, in the active language) and what staff should do next. Built from the
service results; rendered by templates/staff/desk/_result.html."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from shoka.circulation.errors import CirculationRefused
from shoka.circulation.loans import CheckinResult, CheckoutResult, RenewResult
from shoka.circulation.policy import Refusal
from shoka.circulation.routing import Route

OK, REFUSED, ACTION = "ok", "refused", "action"  # the cue the browser plays


@dataclass(frozen=True)
class ScanResult:
    kind: str  # checkout / renew / checkin / lookup
    cue: str
    headline: str
    barcode: str = ""
    title: str = ""
    details: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    # The refusals could be overridden by someone with the permission (None: not a question).
    overridable: bool = False
    may_override: bool = False
    due_on: dt.date | None = None
    route: str = ""
    slip_url: str = ""
    slip_label: str = ""
    # A trapped hold travelling to its pickup branch: its slip (pickup number and date, no
    # title) goes into the item beside the transit slip.
    hold_slip_url: str = ""

    @property
    def ok(self) -> bool:
        return self.cue != REFUSED


def refused(
    kind: str, exc: CirculationRefused, *, barcode: str = "", may_override: bool = False
) -> ScanResult:
    headline = {
        "checkout": _("Not lent"),
        "renew": _("Not renewed"),
        "checkin": _("Not checked in"),
        "lookup": _("Card not found"),
    }[kind]
    return ScanResult(
        kind=kind,
        cue=REFUSED,
        headline=headline,
        barcode=barcode,
        refusals=[r.message for r in exc.refusals],
        overridable=exc.overridable,
        may_override=may_override and exc.overridable,
    )


def problem(kind: str, message: str, *, barcode: str = "") -> ScanResult:
    """A refusal that the desk itself raises (no patron chosen, empty scan…)."""
    return ScanResult(kind=kind, cue=REFUSED, headline=message, barcode=barcode)


def receipt_emailed() -> ScanResult:
    return ScanResult(kind="receipt", cue=OK, headline=_("The receipt was sent by email."))


def _overridden(refusals: list[Refusal]) -> list[str]:
    return [_("Overridden: {reason}").format(reason=r.message) for r in refusals]


def checked_out(result: CheckoutResult, title: str) -> ScanResult:
    details = _overridden(result.overridden)
    if result.hold_collected is not None:
        details.append(_("The patron's hold on this title is collected."))
    return ScanResult(
        kind="checkout",
        cue=OK,
        headline=_("Lent"),
        barcode=result.loan.item.barcode,
        title=title,
        details=details,
        due_on=result.loan.due_on,
    )


def renewed(result: RenewResult, title: str) -> ScanResult:
    return ScanResult(
        kind="renew",
        cue=OK,
        headline=_("Renewed"),
        barcode=result.loan.item.barcode,
        title=title,
        details=[
            _("Previous due date: {date}").format(date=result.previous_due_on),
            *_overridden(result.overridden),
        ],
        due_on=result.loan.due_on,
    )


def checked_in(result: CheckinResult, title: str, branch_id: int) -> ScanResult:
    item, routing = result.item, result.routing
    details: list[str] = []
    if result.loan is None:
        details.append(_("The item was not on loan."))
    if result.days_late:
        details.append(_("Returned {days} day(s) late.").format(days=result.days_late))
    if result.suspended_until:
        details.append(
            _("Loans to the patron are suspended until {date}.").format(date=result.suspended_until)
        )
    slip_url = slip_label = hold_slip_url = ""
    if routing.route == Route.HOLD_SHELF and routing.hold is not None:
        if routing.destination is not None and routing.destination.pk != branch_id:
            headline = _("Already on the hold shelf at {branch}").format(
                branch=routing.destination.name
            )
        else:
            headline = _("Put it on the hold shelf: pickup number {number}").format(
                number=routing.hold.pickup_number
            )
        slip_url = reverse("staff:desk:hold_slip", args=[routing.hold.pk])
        slip_label = _("Print the hold slip")
        cue = ACTION
    elif routing.route == Route.TRANSIT:
        destination = routing.destination.name if routing.destination else "?"
        headline = _("Send it in transit to {branch}").format(branch=destination)
        if routing.hold is not None:
            details.append(_("A hold is waiting for it there."))
            hold_slip_url = reverse("staff:desk:hold_slip", args=[routing.hold.pk])
        slip_url = reverse("staff:desk:transit_slip", args=[item.pk])
        slip_label = _("Print the transit slip")
        cue = ACTION
    else:
        headline = _("Put it back on the shelf")
        cue = OK
    return ScanResult(
        kind="checkin",
        cue=cue,
        headline=headline,
        barcode=item.barcode,
        title=title,
        details=details,
        route=routing.route.value,
        slip_url=slip_url,
        slip_label=slip_label,
        hold_slip_url=hold_slip_url,
    )
