"""Patron screens: search, registration, the patron page, editing, renewal, the card.

Thin views (librarian, administrator): check access, parse a form, call patrons.services,
render. Personal data never goes into a URL or a page title: searches and forms are POSTed,
patrons are addressed by id. Every display of a patron's record writes an access event
(services.view_patron / search_patrons) and the page says so."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoka.audit.actors import Actor
from shoka.organisation.models import Branch
from shoka.patrons import services
from shoka.patrons.contact import format_phone_national
from shoka.patrons.models import Patron, PatronStatus
from shoka.patrons.services import PatronError, PossibleDuplicate

from ..access import staff_view
from ..desk import state
from ..desk.summary import patron_summary
from ..desk.views import at_desk
from . import address, cards
from .forms import BlockForm, PatronForm, PostalForm, SearchForm, initial_of

patrons_view = staff_view("librarian", "administrator")


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def _patron(branch: Branch, patron_id: int) -> Patron:
    return get_object_or_404(
        Patron.objects.select_related("category", "home_branch", "library"),
        pk=patron_id,
        library_id=branch.library_id,
    )


def _to_patron(patron_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("staff:patrons:detail", args=[patron_id]), status=303)


# --- search -----------------------------------------------------------------------------


@patrons_view
@require_http_methods(["GET", "POST"])
@never_cache
@at_desk
def search(request: HttpRequest, branch: Branch) -> HttpResponse:
    """One box for card number, phone, e-mail, name or reading. A card number that finds its
    patron goes straight to the patron's page."""
    form = SearchForm(request.POST if request.method == "POST" else None)
    found = None
    if form.is_valid():
        found = services.search_patrons(
            branch.library, form.cleaned_data["query"], actor=_actor(request), at=timezone.now()
        )
        if found.key == "card" and len(found.patrons) == 1:
            return _to_patron(found.patrons[0].pk)
    return render(
        request,
        "staff/patrons/search.html",
        {"form": form, "found": found, "searched_at": timezone.localtime()},
    )


# --- registration and editing -------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: PatronForm,
    *,
    patron: Patron | None,
    duplicates: list[Patron] | None = None,
    completion: address.Completion | None = None,
) -> HttpResponse:
    form.fields["postal_code"].widget.attrs.update(
        {
            # Completes the address as soon as 7 digits are typed (htmx), without a click.
            "hx-post": reverse("staff:patrons:postal"),
            "hx-trigger": "keyup[shokaPostalCodeComplete(this)] changed delay:300ms, change",
            "hx-target": "#postal-status",
            "hx-swap": "innerHTML",
            "hx-params": "csrfmiddlewaretoken,postal_code,address",
        }
    )
    first_error = next((name for name in form.fields if form.has_error(name)), None)
    if first_error:
        form.fields[first_error].widget.attrs["autofocus"] = True
    context: dict[str, Any] = {
        "form": form,
        "patron": patron,
        "duplicates": duplicates or [],
        "completion": completion,
        "action": (
            reverse("staff:patrons:edit", args=[patron.pk])
            if patron
            else reverse("staff:patrons:register")
        ),
    }
    return render(request, "staff/patrons/form.html", context)


def _lookup_only(request: HttpRequest, branch: Branch, patron: Patron | None) -> HttpResponse:
    """The form's "Look up the address" button without JavaScript: fill the address, show
    the form again with everything typed so far, save nothing."""
    values = request.POST.dict()
    done = address.complete(values.get("postal_code", ""), values.get("address", ""))
    values["address"] = done.address
    values.pop("pin", None)
    form = PatronForm(branch.library, initial=values)
    return _form_page(request, form, patron=patron, completion=done)


@patrons_view
@require_http_methods(["GET", "POST"])
@never_cache
@at_desk
def register(request: HttpRequest, branch: Branch) -> HttpResponse:
    if request.method == "GET":
        form = PatronForm(branch.library, initial={"home_branch": branch.code})
        return _form_page(request, form, patron=None)
    if "lookup_address" in request.POST:
        return _lookup_only(request, branch, None)
    form = PatronForm(branch.library, request.POST)
    duplicates: list[Patron] = []
    if form.is_valid():
        now = timezone.now()
        try:
            patron = services.register_patron(
                branch.library,
                form.data_for_service(),
                actor=_actor(request),
                at=now,
                allow_duplicate=request.POST.get("confirm_duplicate") == "1",
            )
        except PatronError as exc:
            form.add_service_errors(exc.errors)
        except PossibleDuplicate as exc:
            duplicates = list(
                Patron.objects.filter(pk__in=exc.patron_ids).select_related("category")
            )
            for other in duplicates:  # their names are shown: a read of each record
                services.view_patron(
                    other, actor=_actor(request), at=now, context="patrons.duplicate_warning"
                )
        else:
            messages.success(request, _("The patron is registered."))
            return _to_patron(patron.pk)
    return _form_page(request, form, patron=None, duplicates=duplicates)


@patrons_view
@require_http_methods(["GET", "POST"])
@never_cache
@at_desk
def edit(request: HttpRequest, branch: Branch, patron_id: int) -> HttpResponse:
    patron = _patron(branch, patron_id)
    if request.method == "GET":
        services.view_patron(
            patron, actor=_actor(request), at=timezone.now(), context="patrons.edit"
        )
        form = PatronForm(branch.library, initial=initial_of(services.data_of(patron)))
        return _form_page(request, form, patron=patron)
    if "lookup_address" in request.POST:
        return _lookup_only(request, branch, patron)
    form = PatronForm(branch.library, request.POST)
    if form.is_valid():
        try:
            services.update_patron(
                patron, form.data_for_service(), actor=_actor(request), at=timezone.now()
            )
        except PatronError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("The changes are saved."))
            return _to_patron(patron.pk)
    return _form_page(request, form, patron=patron)


@patrons_view
@require_POST
def postal_lookup(request: HttpRequest) -> HttpResponse:
    """htmx: a message on what the postal code points to. When the address was empty, the
    response's `shoka:address` event carries the town, and patrons.js puts it into the
    address field if that is still empty (so nothing the librarian types is overwritten)."""
    form = PostalForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    typed = data.get("address", "").strip()
    done = address.complete(data.get("postal_code", ""), typed)
    response = render(request, "staff/patrons/_postal.html", {"completion": done})
    if done.found and done.address != typed:
        response["HX-Trigger"] = json.dumps(
            {"shoka:address": {"value": done.address}}, ensure_ascii=True
        )
    return response


# --- the patron's page and its actions ------------------------------------------------------


@patrons_view
@require_GET
@never_cache
@at_desk
def detail(request: HttpRequest, branch: Branch, patron_id: int) -> HttpResponse:
    patron = _patron(branch, patron_id)
    now = timezone.now()
    services.view_patron(patron, actor=_actor(request), at=now, context="patrons.page")
    phone = format_phone_national(patron.phone) if patron.phone else ""
    postal = patron.postal_code or ""
    if len(postal) == 7:
        postal = f"{postal[:3]}-{postal[3:]}"
    context = {
        "patron": patron,
        "summary": patron_summary(patron, branch, timezone.localdate(now)),
        "viewed_at": timezone.localtime(now),
        "phone": phone,
        "postal_code": postal,
        "status_label": PatronStatus(patron.status).label,
        "block_form": BlockForm(),
        "withdrawn": patron.status == PatronStatus.WITHDRAWN,
    }
    return render(request, "staff/patrons/detail.html", context)


@patrons_view
@require_POST
@at_desk
def renew(request: HttpRequest, branch: Branch, patron_id: int) -> HttpResponse:
    patron = services.renew_registration(
        _patron(branch, patron_id), actor=_actor(request), at=timezone.now()
    )
    messages.success(
        request,
        _("The registration is renewed until {date}.").format(date=patron.expires_on.isoformat()),
    )
    return _to_patron(patron.pk)


@patrons_view
@require_POST
@at_desk
def block(request: HttpRequest, branch: Branch, patron_id: int) -> HttpResponse:
    patron = _patron(branch, patron_id)
    form = BlockForm(request.POST)
    if form.is_valid():
        services.block_patron(
            patron, form.cleaned_data["reason"], actor=_actor(request), at=timezone.now()
        )
        messages.success(request, _("Loans to this patron are now refused (blocked)."))
    else:
        messages.error(request, _("Give a reason for the block; nothing was changed."))
    return _to_patron(patron.pk)


@patrons_view
@require_POST
@at_desk
def unblock(request: HttpRequest, branch: Branch, patron_id: int) -> HttpResponse:
    patron = _patron(branch, patron_id)
    services.unblock_patron(patron, actor=_actor(request), at=timezone.now())
    messages.success(request, _("The block is lifted."))
    return _to_patron(patron.pk)


@patrons_view
@require_POST
@at_desk
def to_desk(request: HttpRequest, branch: Branch, patron_id: int) -> HttpResponse:
    """Serve this patron at the desk (kept by id in the session, as a scanned card is)."""
    state.serve_patron(request.session, _patron(branch, patron_id))
    return HttpResponseRedirect(reverse("staff:desk:checkout"), status=303)


@patrons_view
@require_GET
@at_desk
def card(request: HttpRequest, branch: Branch, patron_id: int) -> HttpResponse:
    """The patron card as a CR80 PDF, streamed and never stored."""
    patron = _patron(branch, patron_id)
    services.view_patron(patron, actor=_actor(request), at=timezone.now(), context="patrons.card")
    pdf = cards.patron_card(
        cards.CardText(
            library=patron.library.name, name=patron.name, card_number=patron.card_number
        )
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="patron-card.pdf"'
    response["Cache-Control"] = "no-store"
    return response
