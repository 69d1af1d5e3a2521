"""Desk views: check access (librarian, administrator), call a service, render the result.

Pages answer htmx requests (HX-Request) with the fragment to insert and plain form posts
with the whole page, so the desk works without JavaScript too. Personal data never goes
into a URL or a page title: the card number is posted and the patron is kept in the session
by id (state.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shoka.audit.actors import Actor
from shoka.catalogue.models import Bib, Item, ItemStatus
from shoka.circulation import loans
from shoka.circulation.errors import OVERRIDE_PERMISSION, CirculationRefused
from shoka.circulation.models import TRAPPED_HOLD, Hold, HoldStatus, Loan
from shoka.circulation.policy import Refusal, RefusalCode
from shoka.organisation.models import Branch
from shoka.patrons.models import Patron
from shoka.patrons.services import find_patron_by_card, view_patron

from ..access import staff_view
from . import receipts, results, slips, state
from .forms import BranchForm, CardForm, ItemForm
from .results import ScanResult
from .summary import patron_summary

desk_view = staff_view("librarian", "administrator")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _may_override(request: HttpRequest) -> bool:
    return Actor.for_user(request.user).can(OVERRIDE_PERMISSION)


def _title(bib_id: int) -> str:
    return Bib.objects.filter(pk=bib_id).values_list("title", flat=True).first() or ""


def _no_branch(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/desk/no_branch.html", status=503)


def at_desk(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For views that act at a desk: the desk's branch (chosen per session, state.py) comes
    as the argument after the request; without one, the page that says how to set one up.
    Goes below the access check and the method check."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        branch = state.desk_branch(request.session, request.user)
        if branch is None:
            return _no_branch(request)
        return view(request, branch, *args, **kwargs)

    return wrapper


def _render_desk(
    request: HttpRequest,
    branch: Branch,
    *,
    mode: str = "checkout",
    scan_results: list[ScanResult] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole desk page. Showing a patron's summary is a read of their record: it writes
    an access event (patron.viewed), and the page says so."""
    now = timezone.now()
    patron = state.current_patron(request.session, branch) if mode == "checkout" else None
    summary = None
    if patron is not None:
        view_patron(patron, actor=Actor.for_user(request.user), at=now, context="desk")
        summary = patron_summary(patron, branch, timezone.localdate(now))
    context: dict[str, Any] = {
        "branch": branch,
        "branch_form": BranchForm(initial={"branch": branch, "next": mode}),
        "mode": mode,
        "summary": summary,
        "card_form": CardForm(),
        "item_form": ItemForm(),
        "results": scan_results or [],
        "may_override": _may_override(request),
    }
    template = "staff/desk/checkout.html" if mode == "checkout" else "staff/desk/return.html"
    return render(request, template, context, status=status)


def _scan_response(
    request: HttpRequest, branch: Branch, result: ScanResult, *, mode: str, patron: Patron | None
) -> HttpResponse:
    if not _is_htmx(request):
        return _render_desk(request, branch, mode=mode, scan_results=[result])
    context: dict[str, Any] = {"result": result, "mode": mode}
    if patron is not None and result.kind in ("checkout", "renew") and result.ok:
        # The loans table, swapped out of band, so the new due dates show at once.
        context["summary"] = patron_summary(patron, branch, timezone.localdate())
    return render(request, "staff/desk/_scan_response.html", context)


# --- pages ------------------------------------------------------------------------------


@desk_view
@require_GET
@never_cache
@at_desk
def checkout_page(request: HttpRequest, branch: Branch) -> HttpResponse:
    return _render_desk(request, branch, mode="checkout")


@desk_view
@require_GET
@never_cache
@at_desk
def return_page(request: HttpRequest, branch: Branch) -> HttpResponse:
    return _render_desk(request, branch, mode="return")


@desk_view
@require_POST
def choose_branch(request: HttpRequest) -> HttpResponse:
    form = BranchForm(request.POST)
    if form.is_valid():
        state.choose_branch(request.session, form.cleaned_data["branch"])
        target = "return" if form.cleaned_data["next"] == "return" else "checkout"
    else:
        target = "checkout"
    return HttpResponseRedirect(reverse(f"staff:desk:{target}"), status=303)


@desk_view
@require_POST
@at_desk
def lookup(request: HttpRequest, branch: Branch) -> HttpResponse:
    """A scanned or typed card: serve that patron (kept by id in the session)."""
    form = CardForm(request.POST)
    card = form.cleaned_data["card"].strip() if form.is_valid() else ""
    patron = find_patron_by_card(branch.library_id, card) if card else None
    if patron is None:
        state.next_patron(request.session)
        error = CirculationRefused([Refusal(RefusalCode.UNKNOWN_CARD, {"card": card or "—"})])
        return _render_desk(
            request, branch, scan_results=[results.refused("lookup", error)], status=200
        )
    state.serve_patron(request.session, patron)
    return HttpResponseRedirect(reverse("staff:desk:checkout"), status=303)


@desk_view
@require_POST
def next_patron(request: HttpRequest) -> HttpResponse:
    state.next_patron(request.session)
    return HttpResponseRedirect(reverse("staff:desk:checkout"), status=303)


# --- scans ------------------------------------------------------------------------------


@desk_view
@require_POST
@at_desk
def checkout(request: HttpRequest, branch: Branch) -> HttpResponse:
    patron = state.current_patron(request.session, branch)
    form = ItemForm(request.POST)
    if patron is None:
        result = results.problem("checkout", _("Scan the patron's card first."))
    elif not form.is_valid():
        result = results.problem("checkout", _("Scan or type an item barcode."))
    else:
        barcode = form.cleaned_data["barcode"]
        try:
            done = loans.checkout(
                barcode,
                patron.pk,
                branch=branch,
                actor=Actor.for_user(request.user),
                at=timezone.now(),
                override_reason=form.cleaned_data["override_reason"],
            )
        except CirculationRefused as exc:
            result = results.refused(
                "checkout", exc, barcode=barcode, may_override=_may_override(request)
            )
        else:
            result = results.checked_out(done, _title(done.loan.item.bib_id))
    return _scan_response(request, branch, result, mode="checkout", patron=patron)


def _renew_one(
    request: HttpRequest, branch: Branch, patron: Patron, barcode: str, reason: str = ""
) -> ScanResult:
    own = Loan.objects.filter(
        patron=patron,
        returned_at__isnull=True,
        item__library_id=branch.library_id,
        item__barcode=barcode,
    ).exists()
    if not own:
        return results.refused(
            "renew", CirculationRefused([Refusal(RefusalCode.NOT_ON_LOAN)]), barcode=barcode
        )
    try:
        done = loans.renew(
            barcode,
            actor=Actor.for_user(request.user),
            at=timezone.now(),
            branch=branch,
            override_reason=reason,
        )
    except CirculationRefused as exc:
        return results.refused(
            "renew",
            exc,
            barcode=barcode,
            may_override=_may_override(request),
        )
    return results.renewed(done, _title(done.loan.item.bib_id))


@desk_view
@require_POST
@at_desk
def renew(request: HttpRequest, branch: Branch) -> HttpResponse:
    patron = state.current_patron(request.session, branch)
    form = ItemForm(request.POST)
    if patron is None:
        result = results.problem("renew", _("Scan the patron's card first."))
    elif not form.is_valid():
        result = results.problem("renew", _("Scan or type an item barcode."))
    else:
        result = _renew_one(
            request,
            branch,
            patron,
            form.cleaned_data["barcode"],
            form.cleaned_data["override_reason"],
        )
    return _scan_response(request, branch, result, mode="checkout", patron=patron)


@desk_view
@require_POST
@at_desk
def renew_all(request: HttpRequest, branch: Branch) -> HttpResponse:
    patron = state.current_patron(request.session, branch)
    if patron is None:
        done = [results.problem("renew", _("Scan the patron's card first."))]
    else:
        barcodes = Loan.objects.filter(patron=patron, returned_at__isnull=True).values_list(
            "item__barcode", flat=True
        )
        done = [_renew_one(request, branch, patron, barcode) for barcode in barcodes]
    if not _is_htmx(request):
        return _render_desk(request, branch, scan_results=done)
    context: dict[str, Any] = {"results": done, "mode": "checkout"}
    if patron is not None:
        context["summary"] = patron_summary(patron, branch, timezone.localdate())
    return render(request, "staff/desk/_scan_response.html", context)


@desk_view
@require_POST
@at_desk
def checkin(request: HttpRequest, branch: Branch) -> HttpResponse:
    form = ItemForm(request.POST)
    if not form.is_valid():
        result = results.problem("checkin", _("Scan or type an item barcode."))
    else:
        barcode = form.cleaned_data["barcode"]
        try:
            done = loans.checkin(
                barcode, branch=branch, actor=Actor.for_user(request.user), at=timezone.now()
            )
        except CirculationRefused as exc:
            result = results.refused("checkin", exc, barcode=barcode)
        else:
            result = results.checked_in(done, _title(done.item.bib_id), branch.pk)
    return _scan_response(request, branch, result, mode="return", patron=None)


# --- print ------------------------------------------------------------------------------


@desk_view
@require_GET
@never_cache
@at_desk
def receipt(request: HttpRequest, branch: Branch) -> HttpResponse:
    """A print view for the patron: what they have on loan and when each is due. No name;
    the card number only by its last digits."""
    patron = state.current_patron(request.session, branch)
    if patron is None:
        return HttpResponseRedirect(reverse("staff:desk:checkout"), status=303)
    now = timezone.now()
    view_patron(patron, actor=Actor.for_user(request.user), at=now, context="desk.receipt")
    summary = patron_summary(patron, branch, timezone.localdate(now))
    card = str(patron.card_number)
    context = {
        "branch": branch,
        "summary": summary,
        "printed_at": timezone.localtime(now),
        "card_tail": card[-4:] if len(card) > 4 else "",
    }
    return render(request, "staff/desk/receipt.html", context)


@desk_view
@require_POST
@at_desk
def email_receipt(request: HttpRequest, branch: Branch) -> HttpResponse:
    """The receipt sent to the patron's own email address (the one on their record; never
    typed at the desk), in the language of the desk. Audited; the address is not logged."""
    patron = state.current_patron(request.session, branch)
    if patron is None:
        result = results.problem("receipt", _("Scan the patron's card first."))
    elif not patron.email:
        result = results.problem("receipt", _("This patron has no email address: print it."))
    else:
        now = timezone.now()
        summary = patron_summary(patron, branch, timezone.localdate(now))
        reason = receipts.send_receipt(
            patron, branch, summary, actor=Actor.for_user(request.user), at=now
        )
        if reason:
            result = results.problem(
                "receipt",
                _("The email could not be sent ({reason}): print the receipt.").format(
                    reason=reason
                ),
            )
        else:
            result = results.receipt_emailed()
    if not _is_htmx(request):
        return _render_desk(request, branch, scan_results=[result])
    return render(request, "staff/desk/_scan_response.html", {"result": result})


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@desk_view
@require_GET
@at_desk
def hold_slip(request: HttpRequest, branch: Branch, hold_id: int) -> HttpResponse:
    """The slip that goes into a trapped item: pickup number and date only."""
    hold = get_object_or_404(
        Hold.objects.only("pickup_number", "ready_at", "trapped_at", "status"),
        pk=hold_id,
        status__in=TRAPPED_HOLD,
        bib__library_id=branch.library_id,
    )
    when = hold.ready_at if hold.status == HoldStatus.READY else hold.trapped_at
    on = timezone.localdate(when) if when else timezone.localdate()
    return _pdf(slips.hold_slip(hold.pickup_number, on), "hold-slip.pdf")


@desk_view
@require_GET
@at_desk
def transit_slip(request: HttpRequest, branch: Branch, item_id: int) -> HttpResponse:
    """The slip that travels with an item in transit: destination, barcode, date."""
    item = get_object_or_404(
        Item.objects.select_related("branch", "current_branch"),
        pk=item_id,
        library_id=branch.library_id,
    )
    if item.status != ItemStatus.IN_TRANSIT:
        raise Http404("the item is not in transit")
    hold = (
        Hold.objects.filter(item=item, status=HoldStatus.IN_TRANSIT)
        .select_related("pickup_branch")
        .first()
    )
    destination = hold.pickup_branch if hold is not None else item.branch
    on = (
        timezone.localdate(item.status_changed_at)
        if item.status_changed_at
        else timezone.localdate()
    )
    origin = item.current_branch.name if item.current_branch else ""
    pdf = slips.transit_slip(destination.name, item.barcode, on, origin=origin)
    return _pdf(pdf, "transit-slip.pdf")
