"""Catalogue views: check access, parse a form, call a service, render.

Librarians may look (search, records, items); cataloguers and administrators may also
change records and items and print labels. Catalogue searches are not personal data, so the
search form is a GET with the query in the URL (bookmarkable, shareable)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoka.audit.actors import Actor
from shoka.catalogue.models import Bib, Item, ItemStatus
from shoka.catalogue.services import CatalogueError, add_item, create_bib, update_bib, update_item
from shoka.circulation.errors import CirculationRefused
from shoka.circulation.models import TRAPPED_HOLD, Hold, Loan
from shoka.circulation.services import ItemActionRefused, checkin, transfer_item, withdraw_item
from shoka.organisation.models import Library
from shoka.search.engine import SearchIndexError
from shoka.search.query import QueryError
from shoka.search.service import SearchRequest, get_service

from ..access import has_role, staff_view
from . import facets
from . import labels as sheets
from .forms import BibForm, ItemForm, LabelForm, SearchForm, TransferForm, WithdrawForm
from .results import facet_groups, pages

view_catalogue = staff_view("librarian", "cataloguer")
edit_catalogue = staff_view("cataloguer")
PER_PAGE = 20


def _library() -> Library:
    library = Library.objects.order_by("id").first()
    if library is None:
        raise Http404("no library is set up")
    return library


def _now() -> dt.datetime:
    return timezone.now()


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def _bib_url(bib_id: int) -> str:
    return reverse("staff:catalogue:bib", args=[bib_id])


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even when empty: a form posted with nothing is bound)."""
    return request.POST if request.method == "POST" else None


def _service_errors(form: Any, error: CatalogueError) -> None:
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)


# --- search -----------------------------------------------------------------------------


@view_catalogue
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "response": None}
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        search_request = SearchRequest(
            q=data["q"],
            filters=data["f"],
            sort=data["sort"],
            page=data["page"] or 1,
            per_page=PER_PAGE,
        )
        try:
            response = get_service().search(search_request)
        except QueryError as exc:
            form.add_error("q", str(exc))
            status = 400
        except SearchIndexError:
            context["index_missing"] = True
            status = 503
        else:
            context.update(
                response=response,
                facets=facet_groups(request.GET, response.facets, data["f"]),
                pages=pages(request.GET, response.total, response.page, PER_PAGE),
                selected=data["f"],
                first=(response.page - 1) * PER_PAGE + 1,
            )
    else:
        status = 400
    return render(request, "staff/catalogue/search.html", context, status=status)


# --- records ----------------------------------------------------------------------------


def _item_rows(bib: Bib) -> list[dict[str, Any]]:
    items = list(
        bib.items.select_related("branch", "location", "loan_category", "current_branch").order_by(
            "branch_id", "barcode"
        )
    )
    due = dict(
        Loan.objects.filter(item__bib=bib, returned_at__isnull=True).values_list(
            "item_id", "due_on"
        )
    )
    held = set(
        Hold.objects.filter(item__bib=bib, status__in=TRAPPED_HOLD).values_list(
            "item_id", flat=True
        )
    )
    return [{"item": i, "due_on": due.get(i.pk), "held": i.pk in held} for i in items]


@view_catalogue
@require_GET
def bib_detail(request: HttpRequest, bib_id: int) -> HttpResponse:
    bib = get_object_or_404(Bib.objects.select_related("library"), pk=bib_id)
    may_edit = has_role(request.user, "cataloguer")
    context = {
        "bib": bib,
        "contributors": list(bib.contributors.all()),
        "isbns": list(bib.isbns.all()),
        "rows": _item_rows(bib),
        "language": facets.LANGUAGES.get(bib.language, bib.language),
        "may_edit": may_edit,
        "label_form": LabelForm(library=bib.library) if may_edit else None,
        "withdrawn": ItemStatus.WITHDRAWN,
        "in_transit": ItemStatus.IN_TRANSIT,
    }
    return render(request, "staff/catalogue/bib.html", context)


@edit_catalogue
@require_http_methods(["GET", "POST"])
def bib_new(request: HttpRequest) -> HttpResponse:
    library = _library()
    form = BibForm(_posted(request), initial={"material_type": "book", "language": "jpn"})
    if request.method == "POST" and form.is_valid():
        try:
            bib = create_bib(library, form.bib_data(None), actor=_actor(request), at=_now())
        except CatalogueError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("The record was created."))
            return HttpResponseRedirect(_bib_url(bib.pk), status=303)
    status = 400 if form.is_bound else 200
    return render(request, "staff/catalogue/bib_form.html", {"form": form}, status=status)


@edit_catalogue
@require_http_methods(["GET", "POST"])
def bib_edit(request: HttpRequest, bib_id: int) -> HttpResponse:
    bib = get_object_or_404(Bib, pk=bib_id)
    form = BibForm(_posted(request), initial=BibForm.initial_for(bib))
    if request.method == "POST" and form.is_valid():
        try:
            update_bib(bib, form.bib_data(bib), actor=_actor(request), at=_now())
        except CatalogueError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("The record was saved."))
            return HttpResponseRedirect(_bib_url(bib.pk), status=303)
    status = 400 if form.is_bound else 200
    context = {"form": form, "bib": bib}
    return render(request, "staff/catalogue/bib_form.html", context, status=status)


# --- items ------------------------------------------------------------------------------


def _item(item_id: int) -> Item:
    return get_object_or_404(
        Item.objects.select_related("bib", "branch", "location", "current_branch"), pk=item_id
    )


@edit_catalogue
@require_http_methods(["GET", "POST"])
def item_add(request: HttpRequest, bib_id: int) -> HttpResponse:
    bib = get_object_or_404(Bib.objects.select_related("library"), pk=bib_id)
    form = ItemForm(_posted(request), library=bib.library)
    if request.method == "POST" and form.is_valid():
        try:
            item = add_item(bib, form.item_data(), actor=_actor(request), at=_now())
        except CatalogueError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Item %(barcode)s was added.") % {"barcode": item.barcode})
            return HttpResponseRedirect(_bib_url(bib.pk), status=303)
    status = 400 if form.is_bound else 200
    context = {"form": form, "bib": bib, "item": None}
    return render(request, "staff/catalogue/item_form.html", context, status=status)


@edit_catalogue
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    form = ItemForm(
        _posted(request),
        library=item.bib.library,
        item=item,
        initial=ItemForm.initial_for(item),
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_item(item, form.item_data(), actor=_actor(request), at=_now())
        except CatalogueError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Item %(barcode)s was saved.") % {"barcode": item.barcode})
            return HttpResponseRedirect(_bib_url(item.bib_id), status=303)
    status = 400 if form.is_bound else 200
    context = {"form": form, "bib": item.bib, "item": item}
    return render(request, "staff/catalogue/item_form.html", context, status=status)


@edit_catalogue
@require_http_methods(["GET", "POST"])
def item_withdraw(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    form = WithdrawForm(_posted(request))
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            withdraw_item(item, reason=form.reason_text(), actor=_actor(request), at=_now())
        except ItemActionRefused as exc:
            refusal = exc.message
        else:
            messages.success(
                request, _("Item %(barcode)s was withdrawn.") % {"barcode": item.barcode}
            )
            return HttpResponseRedirect(_bib_url(item.bib_id), status=303)
    status = 400 if form.is_bound else 200
    if refusal:
        status = 409
    context = {"form": form, "item": item, "bib": item.bib, "refusal": refusal}
    return render(request, "staff/catalogue/item_withdraw.html", context, status=status)


@edit_catalogue
@require_http_methods(["GET", "POST"])
def item_transfer(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    form = TransferForm(_posted(request), item=item)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            moved = transfer_item(
                item,
                form.cleaned_data["location"],
                actor=_actor(request),
                at=_now(),
                note=form.cleaned_data["note"],
            )
        except ItemActionRefused as exc:
            refusal = exc.message
        else:
            text = (
                _("Item %(barcode)s now belongs to %(branch)s and is in transit there.")
                if moved.status == ItemStatus.IN_TRANSIT
                else _("Item %(barcode)s now belongs to %(branch)s.")
            )
            messages.success(request, text % {"barcode": item.barcode, "branch": moved.branch.name})
            return HttpResponseRedirect(_bib_url(item.bib_id), status=303)
    status = 400 if form.is_bound else 200
    if refusal:
        status = 409
    context = {"form": form, "item": item, "bib": item.bib, "refusal": refusal}
    return render(request, "staff/catalogue/item_transfer.html", context, status=status)


@edit_catalogue
@require_POST
def item_receive(request: HttpRequest, item_id: int) -> HttpResponse:
    """An item in transit arrived at its home branch: scan it in there (the check-in routes
    it: on the shelf, or to the hold shelf when a hold is waiting for the title)."""
    item = _item(item_id)
    if item.status != ItemStatus.IN_TRANSIT:
        messages.error(
            request, _("Item %(barcode)s is not in transit.") % {"barcode": item.barcode}
        )
        return HttpResponseRedirect(_bib_url(item.bib_id), status=303)
    try:
        result = checkin(item, branch=item.branch, actor=_actor(request), at=_now())
    except CirculationRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Item %(barcode)s was received at %(branch)s: %(status)s.")
            % {
                "barcode": item.barcode,
                "branch": item.branch.name,
                "status": ItemStatus(result.item.status).label,
            },
        )
    return HttpResponseRedirect(_bib_url(item.bib_id), status=303)


# --- labels -----------------------------------------------------------------------------


@edit_catalogue
@require_http_methods(["GET", "POST"])
def labels(request: HttpRequest) -> HttpResponse:
    """The label form; its POST answers with the PDF. The bib page posts its ticked items
    here (several `barcodes` values), and so can any list of barcodes."""
    library = _library()
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["barcodes"] = "\n".join(request.POST.getlist("barcodes"))
    form = LabelForm(data, library=library)
    if data is not None and form.is_valid():
        chosen = form.cleaned_data
        stock = sheets.STOCKS[chosen["stock"]]
        items: list[Item] = chosen["barcodes"]
        if chosen["kind"] == "spine":
            pdf = sheets.spine_sheet(
                [sheets.SpineLabel(_spine(item)) for item in items], stock, start=chosen["start"]
            )
        else:
            pdf = sheets.barcode_sheet(
                [sheets.BarcodeLabel(item.barcode, library.name) for item in items],
                stock,
                start=chosen["start"],
                symbology=chosen["symbology"] or "codabar",
            )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{chosen["kind"]}-labels.pdf"'
        return response
    status = 400 if form.is_bound else 200
    return render(request, "staff/catalogue/labels.html", {"form": form}, status=status)


def _spine(item: Item) -> tuple[str, str, str]:
    bib = item.bib
    people = list(bib.contributors.all())
    return sheets.spine_lines(
        item.call_number,
        ndc=bib.ndc,
        author_reading=people[0].reading if people else "",
        title_reading=bib.title_reading,
        volume=bib.volume,
    )
