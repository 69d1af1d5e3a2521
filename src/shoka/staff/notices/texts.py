"""*Notice texts* (文面): the library's letters, postcards and emails, each previewed on a
made-up patron in its language and at a chosen stage of the ladder. Librarians read and
preview; administrators save and reset (configuration). Thin views: the rules are
shoka.notices.texts."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shoka.audit.actors import Actor
from shoka.notices import texts
from shoka.notices.ladders import ladders_of
from shoka.notices.models import Channel
from shoka.notices.rendering import name_in
from shoka.organisation.models import Library
from shoka.staff.access import has_role, staff_view

read_texts = staff_view("librarian", "administrator")
edit_texts = staff_view("administrator")
LANGUAGE_NAMES = {"ja": gettext_lazy("Japanese"), "en": gettext_lazy("English")}


class TextForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Subject (emails) or heading (letters)"),
        max_length=texts.SUBJECT_MAX,
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"class": "wide", "spellcheck": "false"}),
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 80, "spellcheck": "false"}),
    )
    stage = forms.TypedChoiceField(
        label=gettext_lazy("Preview at the stage"), coerce=int, required=False
    )

    def __init__(self, *args: Any, stages: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["stage"]).choices = stages


def _library() -> Library:
    library = Library.objects.order_by("id").first()
    if library is None:
        raise Http404("no library")
    return library


def _row(library: Library, key: str, language: str) -> texts.TextRow:
    try:
        return texts.text_of(library, key, language)
    except LookupError as exc:
        raise Http404("no such notice text") from exc


def _stages(library: Library, key: str) -> tuple[list[tuple[int, str]], int]:
    """The stages of the library's default ladder to preview at, and the first one sent by
    the text's channel."""
    if not key.startswith("overdue"):
        return [], 0
    ladder = ladders_of(library)[None]
    choices = [
        (
            s.number,
            _("stage %(n)d: day %(days)d, %(channel)s")
            % {"n": s.number, "days": s.days, "channel": Channel(s.channel.value).label},
        )
        for s in ladder
    ]
    channel = texts.channel_of(key)
    first = next((s.number for s in ladder if s.channel.value == channel), ladder[0].number)
    return choices, first


@read_texts
@require_GET
def text_list(request: HttpRequest) -> HttpResponse:
    rows = texts.texts_of(_library())
    return render(
        request,
        "staff/notices/texts.html",
        {"rows": rows, "languages": LANGUAGE_NAMES},
    )


def _page(
    request: HttpRequest,
    library: Library,
    row: texts.TextRow,
    form: TextForm,
    *,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    preview = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        subject, body, stage = data["subject"], data["body"], data.get("stage") or 2
    elif form.is_bound:
        subject = body = ""
        stage = 2
    else:
        subject, body, stage = row.subject, row.body, form.initial.get("stage") or 2
    if body and not error:
        try:
            preview = texts.preview(
                row.key,
                subject,
                body,
                language=row.language,
                library=name_in(library, row.language),
                stage=stage,
            )
        except texts.TemplateError as exc:
            error = str(exc)
            status = 400 if form.is_bound else status
    context = {
        "row": row,
        "form": form,
        "preview": preview,
        "error": error,
        "language_name": LANGUAGE_NAMES[row.language],
        "has_subject": texts.has_subject(row.key),
        "channel": texts.channel_of(row.key),
        "printed": texts.channel_of(row.key) in ("letter", "postcard"),
        "sealed": texts.is_sealed(row.key),
        "may_edit": has_role(request.user, "administrator"),
    }
    return render(request, "staff/notices/text.html", context, status=status)


@read_texts
@require_http_methods(["GET", "POST"])
def text_page(request: HttpRequest, key: str, language: str) -> HttpResponse:
    """GET: the text and its preview. POST: preview what was typed (nothing is saved)."""
    library = _library()
    row = _row(library, key, language)
    stages, first = _stages(library, key)
    if request.method == "POST":
        form = TextForm(request.POST, stages=stages)
        return _page(request, library, row, form, status=200 if form.is_valid() else 400)
    form = TextForm(
        initial={"subject": row.subject, "body": row.body, "stage": first}, stages=stages
    )
    return _page(request, library, row, form)


@read_texts
@require_POST
def text_pdf(request: HttpRequest, key: str, language: str) -> HttpResponse:
    """The made-up letter or postcard with what was typed, as a PDF (nothing is saved)."""
    library = _library()
    row = _row(library, key, language)
    stages, _first = _stages(library, key)
    form = TextForm(request.POST, stages=stages)
    if not form.is_valid():
        return _page(request, library, row, form, status=400)
    data = form.cleaned_data
    try:
        pdf = texts.sample_pdf(
            library,
            key,
            data["subject"],
            data["body"],
            language=language,
            stage=data.get("stage") or 2,
        )
    except texts.TemplateError as exc:
        return _page(request, library, row, form, status=400, error=str(exc))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sample-{key}-{language}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@edit_texts
@require_POST
def text_save(request: HttpRequest, key: str, language: str) -> HttpResponse:
    library = _library()
    row = _row(library, key, language)
    stages, _first = _stages(library, key)
    form = TextForm(request.POST, stages=stages)
    if not form.is_valid():
        return _page(request, library, row, form, status=400)
    try:
        texts.save_text(
            library,
            key,
            language,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            actor=Actor.for_user(request.user),
            at=timezone.now(),
        )
    except texts.TemplateError as exc:
        message = _("Not saved: %(error)s") % {"error": exc}
        return _page(request, library, row, form, status=400, error=message)
    messages.success(request, _("The text is saved. Notices from now on use it."))
    return HttpResponseRedirect(reverse("staff:notices:text", args=[key, language]), status=303)


@edit_texts
@require_POST
def text_reset(request: HttpRequest, key: str, language: str) -> HttpResponse:
    library = _library()
    _row(library, key, language)
    if texts.reset_text(
        library, key, language, actor=Actor.for_user(request.user), at=timezone.now()
    ):
        messages.success(request, _("The text shipped with shoka is used again."))
    return HttpResponseRedirect(reverse("staff:notices:text", args=[key, language]), status=303)
