"""Configuration screens (Django admin) for administrators: organisation, calendar, rule
tables and categories. Every save and delete is an audited action. Patrons, loans, holds,
bibs and items are not here: they change only through their services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record
from shoka.catalogue.models import LoanCategory
from shoka.circulation.models import LoanRule, PatronRule
from shoka.notices.models import LadderStage, NoticeTemplate
from shoka.notices.texts import TemplateError, preview
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


# --- notices (docs/notices.md) -----------------------------------------------------------


@admin.register(LadderStage)
class LadderStageAdmin(AuditedAdmin):
    list_display = ("patron_category", "stage", "days", "channel")
    list_filter = ("patron_category",)


class NoticeTemplateForm(forms.ModelForm):
    class Meta:
        model = NoticeTemplate
        fields = ("library", "key", "language", "subject", "body")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            preview(
                data.get("key", ""),
                data.get("subject", ""),
                data.get("body", ""),
                language=data.get("language", "ja"),
            )
        except TemplateError as exc:
            self.add_error("body", _("The template cannot be read: %(error)s") % {"error": exc})
        return data


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(AuditedAdmin):
    """The library's notice texts, with a preview on made-up data."""

    form = NoticeTemplateForm
    list_display = ("key", "language", "library", "updated_at")
    list_filter = ("language", "library")
    readonly_fields = ("preview",)

    @admin.display(description=_("preview (made-up data)"))
    def preview(self, obj: NoticeTemplate) -> str:
        if not obj.pk:
            return "—"
        try:
            text = preview(obj.key, obj.subject, obj.body, language=obj.language)
        except TemplateError as exc:
            return str(exc)
        return format_html("<pre>{}\n\n{}</pre>", text.subject, text.body)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if isinstance(obj, NoticeTemplate):
            obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
