"""Configuration screens (Django admin) for administrators: organisation, calendar, rule
tables and categories. Every save and delete is an audited action. Patrons, loans, holds,
bibs and items are not here: they change only through their services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.catalogue.models import LoanCategory
from shoka.circulation.models import LoanRule, PatronRule
from shoka.organisation.models import (
    BookmobileStop,
    Branch,
    ClosedPeriod,
    Library,
    Location,
    SpecialOpening,
)
from shoka.patrons.models import PatronCategory


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        with audited_atomic():
            super().save_model(request, obj, form, change)
            record(
                f"config.{obj._meta.model_name}_{'changed' if change else 'added'}",
                obj,
                actor=Actor.for_user(request.user),
                at=timezone.now(),
                data={"fields": sorted(form.changed_data)} if change else None,
            )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with audited_atomic():
            record(
                f"config.{obj._meta.model_name}_deleted",
                obj,
                actor=Actor.for_user(request.user),
                at=timezone.now(),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0


@admin.register(Branch)
class BranchAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "is_active")
    inlines = [LocationInline]


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(AuditedAdmin):
    list_display = ("start", "end", "kind", "branch", "reason")
    list_filter = ("kind", "branch")


@admin.register(LoanRule)
class LoanRuleAdmin(AuditedAdmin):
    list_display = (
        "patron_category",
        "loan_category",
        "branch",
        "loan_period",
        "period_unit",
        "max_items",
        "renewals",
        "holds_allowed",
    )


@admin.register(PatronRule)
class PatronRuleAdmin(AuditedAdmin):
    list_display = (
        "patron_category",
        "branch",
        "max_loans",
        "max_holds",
        "block_when_overdue",
        "suspension_mode",
        "suspension_days",
    )


for model in (Library, SpecialOpening, BookmobileStop, LoanCategory, PatronCategory):
    admin.site.register(model, AuditedAdmin)

admin.site.site_header = "書架 shoka"
