"""Holds screens: check access (librarian, administrator), call a query or a service, render.

The lists come from shoka.circulation.lists; the actions are circulation services. Pages
that depend on a branch use the desk's branch (at_desk). Personal data never goes into a
URL or a page title: ids only in URLs, search terms posted, patrons shown by the last
digits of their card."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoka.audit.actors import Actor
from shoka.catalogue.models import Bib, Item
from shoka.circulation import lists
from shoka.circulation.errors import OVERRIDE_PERMISSION, CirculationRefused
from shoka.circulation.holds import cancel_hold, clear_expired_holds, place_hold
from shoka.circulation.models import TRAPPED_HOLD, Hold
from shoka.circulation.transit import receive_transit
from shoka.organisation.models import Branch

from ..access import staff_view
from ..desk import state
from ..desk.views import at_desk
from . import outcomes
from .forms import PlaceHoldForm, TitleSearchForm, pickup_branches
from .outcomes import Outcome

holds_view = staff_view("librarian", "administrator")


def _page(
    request: HttpRequest, template: str, branch: Branch, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {
        "branch": branch,
        "outcomes": outcomes.told(request.session),
        "serving": state.current_patron(request.session, branch) is not None,
        **context,
    }
    return render(request, f"staff/holds/{template}", context, status=status)


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def _bib(branch: Branch, bib_id: int) -> Bib:
    return get_object_or_404(
        Bib.objects.only("title", "responsibility", "year", "library_id"),
        pk=bib_id,
        library_id=branch.library_id,
    )


# --- finding a title, its queue ------------------------------------------------------------


@holds_view
@require_http_methods(["GET", "POST"])
@never_cache
@at_desk
def index(request: HttpRequest, branch: Branch) -> HttpResponse:
    """The holds screens' start: find a title (posted) for its queue or a new hold."""
    form = TitleSearchForm(request.POST if request.method == "POST" else None)
    found: list[Bib] | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            found = lists.find_titles(branch.library_id, form.cleaned_data["q"])
        else:
            status = 400
    return _page(request, "index.html", branch, {"form": form, "found": found}, status)


@holds_view
@require_GET
@never_cache
@at_desk
def queue(request: HttpRequest, branch: Branch, bib_id: int) -> HttpResponse:
    bib = _bib(branch, bib_id)
    return _page(request, "queue.html", branch, {"bib": bib, "lines": lists.hold_queue(bib)})


# --- placing and cancelling ----------------------------------------------------------------


@holds_view
@require_http_methods(["GET", "POST"])
@never_cache
@at_desk
def place(request: HttpRequest, branch: Branch, bib_id: int) -> HttpResponse:
    """A hold on this title for the patron being served at the desk (desk/state.py)."""
    bib = _bib(branch, bib_id)
    patron = state.current_patron(request.session, branch)
    may_override = _actor(request).can(OVERRIDE_PERMISSION)
    context: dict[str, Any] = {"bib": bib, "patron": patron, "may_override": may_override}
    if patron is None:
        return _page(request, "place.html", branch, context)
    context["card"] = lists.masked_card(patron.card_number)
    valid_pickup = pickup_branches(branch.library_id)
    default = branch if valid_pickup.filter(pk=branch.pk).exists() else patron.home_branch
    if request.method == "GET":
        form = PlaceHoldForm(library_id=branch.library_id, initial={"pickup_branch": default})
        return _page(request, "place.html", branch, {**context, "form": form})
    form = PlaceHoldForm(request.POST, library_id=branch.library_id)
    if not form.is_valid():
        return _page(request, "place.html", branch, {**context, "form": form}, status=400)
    pickup = form.cleaned_data["pickup_branch"]
    try:
        hold = place_hold(
            bib,
            patron.pk,
            pickup_branch=pickup,
            actor=_actor(request),
            at=timezone.now(),
            override_reason=form.cleaned_data["override_reason"],
        )
    except CirculationRefused as exc:
        context |= {"form": form, "refused": exc, "may_override": may_override}
        return _page(request, "place.html", branch, context)
    waiting = [line for line in lists.hold_queue(bib) if line.hold.pk == hold.pk]
    position = waiting[0].position if waiting else None
    outcomes.tell(
        request.session,
        Outcome(
            _("Hold placed: number {position} in the queue, to be collected at {branch}.").format(
                position=position or "—", branch=pickup.name
            )
        ),
    )
    return HttpResponseRedirect(reverse("staff:holds:queue", args=[bib.pk]), status=303)


_BACK = {"queue": "staff:holds:queue", "shelf": "staff:holds:shelf"}


@holds_view
@require_POST
@at_desk
def cancel(request: HttpRequest, branch: Branch, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(
        Hold.objects.select_related("item"), pk=hold_id, bib__library_id=branch.library_id
    )
    barcode = hold.item.barcode if hold.item else ""
    try:
        routing = cancel_hold(hold, actor=_actor(request), at=timezone.now(), by="staff")
    except CirculationRefused as exc:
        told = [Outcome(str(exc), error=True)]
    else:
        told = [Outcome(_("Hold cancelled."))]
        if hold.status in TRAPPED_HOLD and hold.item_id is not None:  # it was trapped
            told.append(outcomes.of_routing(routing, barcode=barcode, item_id=hold.item_id))
    outcomes.tell(request.session, *told)
    back = request.POST.get("next")
    if back == "shelf":
        return HttpResponseRedirect(reverse(_BACK["shelf"]), status=303)
    return HttpResponseRedirect(reverse(_BACK["queue"], args=[hold.bib_id]), status=303)


# --- the hold shelf ------------------------------------------------------------------------


@holds_view
@require_GET
@never_cache
@at_desk
def shelf(request: HttpRequest, branch: Branch) -> HttpResponse:
    today = timezone.localdate()
    lines = lists.hold_shelf(branch, today)
    context = {
        "lines": lines,
        "today": today,
        "soon_days": lists.EXPIRING_SOON_DAYS,
        "expired": sum(1 for line in lines if line.expired),
        "soon": sum(1 for line in lines if line.expiring_soon),
    }
    return _page(request, "shelf.html", branch, context)


@holds_view
@require_POST
@at_desk
def clear_expired(request: HttpRequest, branch: Branch) -> HttpResponse:
    """Expire this branch's holds past their last pickup day; say where each item goes."""
    done = clear_expired_holds(branch, actor=_actor(request), at=timezone.now())
    told = [
        Outcome(_("{count} expired hold(s) cleared from the hold shelf.").format(count=len(done)))
    ]
    items = {
        i.pk: i.barcode
        for i in Item.objects.filter(pk__in=[e.hold.item_id for e in done]).only("barcode")
    }
    for e in done:
        item_id = e.hold.item_id or 0
        told.append(outcomes.of_routing(e.routing, barcode=items.get(item_id, ""), item_id=item_id))
    outcomes.tell(request.session, *told)
    return HttpResponseRedirect(reverse("staff:holds:shelf"), status=303)


# --- the pick list and transits ------------------------------------------------------------


@holds_view
@require_GET
@never_cache
@at_desk
def pick(request: HttpRequest, branch: Branch) -> HttpResponse:
    groups = lists.pick_list(branch.library_id, branch=branch)
    return _page(request, "pick.html", branch, {"groups": groups, "everywhere": False})


@holds_view
@require_GET
@never_cache
@at_desk
def pick_all(request: HttpRequest, branch: Branch) -> HttpResponse:
    groups = lists.pick_list(branch.library_id)
    return _page(request, "pick.html", branch, {"groups": groups, "everywhere": True})


@holds_view
@require_GET
@never_cache
@at_desk
def transit(request: HttpRequest, branch: Branch) -> HttpResponse:
    context = {
        "incoming": lists.transits_incoming(branch),
        "outgoing": lists.transits_outgoing(branch),
    }
    return _page(request, "transit.html", branch, context)


@holds_view
@require_POST
@at_desk
def receive(request: HttpRequest, branch: Branch, item_id: int) -> HttpResponse:
    item = get_object_or_404(Item.objects.only("barcode"), pk=item_id, library_id=branch.library_id)
    try:
        done = receive_transit(item, branch=branch, actor=_actor(request), at=timezone.now())
    except CirculationRefused as exc:
        told = Outcome(str(exc), item.barcode, error=True)
    else:
        told = outcomes.of_routing(done.routing, barcode=item.barcode, item_id=item.pk)
    outcomes.tell(request.session, told)
    return HttpResponseRedirect(reverse("staff:holds:transit"), status=303)
