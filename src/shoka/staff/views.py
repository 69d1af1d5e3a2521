"""Staff site views (thin: check access, ask services, render). The desk, patron, catalogue
and hold screens are issue "Staff web interface"; this is the signed-in home page."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shoka.catalogue.models import Bib, Item
from shoka.circulation.models import Hold, HoldStatus, Loan
from shoka.organisation import calendar as cal
from shoka.organisation.models import Branch
from shoka.organisation.services import branch_calendar
from shoka.patrons.models import Patron

from .access import staff_view


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    branches = []
    for branch in Branch.objects.filter(is_active=True).select_related("library").order_by("id"):
        spec, hol = branch_calendar(branch, today)
        closure = cal.closure_on(spec, hol, today)
        branches.append(
            {
                "branch": branch,
                "closure": closure,
                "next_open": None if closure is None else cal.next_opening_day(spec, hol, today),
            }
        )
    open_loans = Loan.objects.filter(returned_at__isnull=True)
    context = {
        "today": today,
        "branches": branches,
        "bibs": Bib.objects.count(),
        "items_by_status": dict(Item.objects.values_list("status").annotate(n=Count("id"))),
        "patrons": Patron.objects.count(),
        "loans_open": open_loans.count(),
        "loans_overdue": open_loans.filter(due_on__lt=today).count(),
        "holds_waiting": Hold.objects.filter(status=HoldStatus.WAITING).count(),
        "holds_ready": Hold.objects.filter(status=HoldStatus.READY).count(),
    }
    return render(request, "staff/home.html", context)
