"""Staff screens for notices: counts, the printer's batch, the phone-call list, and each
patron's notice history. Thin views (STYLE.md §2): access, form, service, render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from shoka.audit.actors import Actor
from shoka.notices import files, phone
from shoka.notices.models import Channel, Notice, Status
from shoka.notices.printing import NothingToPrintError, recent_batches, reprint_batch
from shoka.notices.printing import print_batch as make_batch
from shoka.organisation.models import Library
from shoka.patrons.models import Patron
from shoka.patrons.services import view_patron
from shoka.staff.access import staff_view

notices_view = staff_view("librarian", "administrator")
CALL_RESULTS = [
    (phone.CallResult.REACHED, gettext_lazy("reached")),
    (phone.CallResult.MESSAGE, gettext_lazy("left a message")),
    (phone.CallResult.NO_ANSWER, gettext_lazy("no answer (call again)")),
    (phone.CallResult.WRONG_NUMBER, gettext_lazy("wrong number")),
]


def _library() -> Library:
    library = Library.objects.order_by("id").first()
    if library is None:
        raise Http404("no library")
    return library


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@notices_view
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return _overview(request)


def _overview(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    library = _library()
    now = timezone.now()
    month = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    pending = {
        channel: Notice.objects.filter(
            library=library, channel=channel, status=Status.PENDING
        ).count()
        for channel in (Channel.LETTER, Channel.POSTCARD, Channel.PHONE, Channel.REVIEW)
    }
    failed = Notice.objects.filter(library=library, status=Status.FAILED).order_by("-created_at")
    context = {
        "pending": pending,
        "failed": list(failed[:50]),
        "counts": phone.stage_counts(library, since=month, until=now),
        "batches": recent_batches(library),
        "since": month,
        "error": error,
    }
    return render(request, "staff/notices/overview.html", context, status=status)


@notices_view
@require_POST
def print_batch(request: HttpRequest) -> HttpResponse:
    channel = request.POST.get("channel", "")
    if channel not in (Channel.LETTER, Channel.POSTCARD):
        return _overview(request, error=_("Choose letters or postcards to print."), status=400)
    try:
        printed = make_batch(
            _library(),
            channel,
            at=timezone.now(),
            actor=Actor.for_user(request.user),
        )
    except NothingToPrintError:
        return _overview(request, error=_("Nothing is waiting to be printed."), status=409)
    return _pdf(printed.data, f"{channel}s.pdf")


@notices_view
@require_POST
def reprint(request: HttpRequest, batch_id: int) -> HttpResponse:
    """A batch already printed, again (a jammed printer): nothing is recorded or sent."""
    try:
        printed = reprint_batch(
            _library(), batch_id, at=timezone.now(), actor=Actor.for_user(request.user)
        )
    except NothingToPrintError:
        return _overview(
            request, error=_("That batch cannot be printed again: it is not there."), status=404
        )
    return _pdf(printed.data, f"reprint-{batch_id}.pdf")


def _phone_rows(request: HttpRequest) -> list[phone.CallRow]:
    rows = phone.phone_list(_library(), today=timezone.localdate())
    actor, at = Actor.for_user(request.user), timezone.now()
    for patron_id in sorted({r.patron_id for r in rows}):
        view_patron(Patron(pk=patron_id), actor=actor, at=at, context="phone list")
    return rows


@notices_view
@require_GET
def phone_page(request: HttpRequest) -> HttpResponse:
    return _phone_page(request)


def _phone_page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    context = {"rows": _phone_rows(request), "results": CALL_RESULTS, "error": error}
    return render(request, "staff/notices/phone.html", context, status=status)


@notices_view
@require_POST
def phone_pdf(request: HttpRequest) -> HttpResponse:
    library, at = _library(), timezone.now()
    rows = _phone_rows(request)
    data = phone.phone_list_pdf(rows, title=_("Phone calls"), today=timezone.localdate())
    files.generated(
        library, "phone list", data, actor=Actor.for_user(request.user), at=at, count=len(rows)
    )
    return _pdf(data, "phone-list.pdf")


@notices_view
@require_POST
def call_done(request: HttpRequest, notice_id: int) -> HttpResponse:
    try:
        phone.mark_called(
            _library(),
            notice_id,
            request.POST.get("result", ""),
            actor=Actor.for_user(request.user),
            at=timezone.now(),
        )
    except phone.CallError as exc:
        return _phone_page(request, error=str(exc), status=400)
    return redirect("staff:notices:phone")


@notices_view
@require_GET
def history(request: HttpRequest, patron_id: int) -> HttpResponse:
    library = _library()
    patron = get_object_or_404(
        Patron.objects.only("pk", "library_id"), pk=patron_id, library=library
    )
    view_patron(patron, actor=Actor.for_user(request.user), at=timezone.now(), context="notices")
    notices = Notice.objects.filter(patron=patron).order_by("-created_at").prefetch_related("lines")
    return render(
        request,
        "staff/notices/history.html",
        {"patron_id": patron.pk, "notices": notices},
    )
