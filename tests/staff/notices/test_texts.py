"""*Notice texts* on the staff site: each text previewed on a made-up patron in its language
and at a stage of the ladder; administrators save (a text that cannot be read or rendered
is refused and nothing is saved) and reset; librarians only read and preview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from tests.conftest import AT

from shoka.audit.models import AuditEvent
from shoka.circulation import services
from shoka.notices.daily import run_notices
from shoka.notices.models import NoticeTemplate
from shoka.notices.pdf import postal_display
from shoka.notices.printing import print_batch
from shoka.notices.texts import KEYS, sample_context

# The made-up patron of every preview (never a real one).
SAMPLE = sample_context("overdue_letter").recipient

LETTER_JA = "/notices/texts/overdue_letter/ja/"


@pytest.fixture
def librarian(client, world):
    client.force_login(world.staff_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the texts checked are English
    return client


@pytest.fixture
def administrator(client, world, django_user_model):
    user = django_user_model.objects.create_user("admin1", password="x")
    user.groups.add(Group.objects.get(name="administrator"))
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _form(**changes) -> dict[str, str]:
    row = NoticeTemplate.objects.get(library=None, key="overdue_letter", language="ja")
    return {"subject": row.subject, "body": row.body, "stage": "4", **changes}


def _preview(html: str) -> str:
    """The preview section of a text's page (the form above it holds the typed text)."""
    return html.split('id="preview-h"', 1)[1]


def _overdue_patron(world):
    """A real patron with an overdue loan and a pending letter (day 60)."""
    loaned = AT - dt.timedelta(days=150)
    patron = world.patron("佐藤 太郎", "サトウ タロウ", at=loaned - dt.timedelta(days=1))
    item = world.item(world.bib("吾輩は猫である"))
    loan = services.checkout(
        item.barcode, patron, branch=world.main, actor=world.staff, at=loaned
    ).loan
    at = dt.datetime.combine(loan.due_on + dt.timedelta(days=60), dt.time(7), AT.tzinfo)
    run_notices(world.library, at=at)
    return patron, at


def test_the_list_shows_every_text_in_both_languages(librarian, world):
    html = librarian.get("/notices/texts/").content.decode()
    for key in KEYS:
        assert f"/notices/texts/{key}/ja/" in html and f"/notices/texts/{key}/en/" in html
    assert "as shipped" in html


def test_a_text_is_previewed_on_a_made_up_patron_never_a_real_one(librarian, world):
    patron, _ = _overdue_patron(world)
    page = librarian.get(LETTER_JA)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{SAMPLE.name} 様" in _preview(html) and "見本の本" in _preview(html)  # made up
    assert patron.name not in html and "吾輩は猫である" not in html
    assert "Only administrators can save a text." in html
    assert 'formaction="/notices/texts/overdue_letter/ja/save/"' not in html


def test_an_english_text_is_previewed_in_english(librarian, world):
    html = librarian.get("/notices/texts/overdue_email/en/").content.decode()
    assert f"Dear {SAMPLE.name}," in html and "Sample Book" in html
    assert "[Shoka City Library] Items past their due date" in html
    assert "due 19 May 2026" in html  # English dates, though the screen's language is en


def test_a_postcard_preview_never_shows_titles(librarian, world):
    body = "{{ name }} 様 {% for i in items %}{{ i.title }}{% endfor %}おわり"
    page = librarian.post("/notices/texts/overdue_postcard/ja/", {"subject": "", "body": body})
    html = page.content.decode()
    assert f"{SAMPLE.name} 様 おわり" in _preview(html) and "見本の本" not in _preview(html)
    assert "never given the titles" in html


def test_the_preview_follows_the_chosen_stage(librarian, world):
    body = "{% if stage >= 4 %}二回目のお願いです{% else %}お願いです{% endif %}"
    at_2 = _preview(librarian.post(LETTER_JA, _form(body=body, stage="2")).content.decode())
    at_4 = _preview(librarian.post(LETTER_JA, _form(body=body, stage="4")).content.decode())
    assert "二回目のお願いです" not in at_2 and "お願いです" in at_2
    assert "二回目のお願いです" in at_4


def test_previewing_typed_text_saves_nothing(librarian, world):
    page = librarian.post(LETTER_JA, _form(body="試しの文面 {{ name }} 様"))
    assert page.status_code == 200
    assert f"試しの文面 {SAMPLE.name} 様" in _preview(page.content.decode())
    assert not NoticeTemplate.objects.filter(library=world.library).exists()


def test_a_broken_template_is_refused_clearly_and_nothing_is_saved(administrator, world):
    response = administrator.post(
        LETTER_JA + "save/", _form(body="{% for i in items %}返却してください")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The text cannot be used" in html and "Nothing was saved." in html
    assert "endfor" in html  # Django says which tag is unclosed
    assert "返却してください" in html  # what was typed is kept in the form
    assert not NoticeTemplate.objects.filter(library=world.library).exists()
    assert not AuditEvent.objects.filter(action="notices.text_saved").exists()


def test_a_template_that_fails_when_rendered_is_refused_too(administrator, world):
    response = administrator.post(LETTER_JA + "save/", _form(body='{% include "x.html" %}'))
    assert response.status_code == 400
    assert "TemplateDoesNotExist" in response.content.decode()
    assert not NoticeTemplate.objects.filter(library=world.library).exists()


def test_a_postcard_has_no_subject(administrator, world):
    response = administrator.post(
        "/notices/texts/overdue_postcard/ja/save/", {"subject": "件名", "body": "{{ name }} 様"}
    )
    assert response.status_code == 400 and "no subject" in response.content.decode()


def test_an_administrator_saves_a_text_and_the_next_letters_use_it(administrator, world, pdf_text):
    patron, at = _overdue_patron(world)
    response = administrator.post(
        LETTER_JA + "save/", _form(body="特製の督促文 {{ name }} 様 {{ count }}点")
    )
    assert response.status_code == 303
    assert response["Location"] == LETTER_JA
    page = administrator.get(LETTER_JA).content.decode()
    assert "The text is saved." in page and "The library's own text" in page
    row = NoticeTemplate.objects.get(library=world.library, key="overdue_letter", language="ja")
    assert row.body == "特製の督促文 {{ name }} 様 {{ count }}点" and row.updated_at
    event = AuditEvent.objects.get(action="notices.text_saved")
    assert event.data == {"key": "overdue_letter", "language": "ja", "first_edit": True}
    data, _count, _batch = print_batch(world.library, "letter", at=at, actor=world.staff)
    assert f"特製の督促文 {patron.name} 様 1点" in pdf_text(data)


def test_a_librarian_cannot_save_or_reset(librarian, world):
    assert librarian.post(LETTER_JA + "save/", _form(body="x")).status_code == 403
    assert librarian.post(LETTER_JA + "reset/").status_code == 403
    assert not NoticeTemplate.objects.filter(library=world.library).exists()


def test_resetting_brings_back_the_shipped_text(administrator, world):
    administrator.post(LETTER_JA + "save/", _form(body="特製 {{ name }}"))
    response = administrator.post(LETTER_JA + "reset/", follow=True)
    assert "The text shipped with shoka is used again." in response.content.decode()
    assert not NoticeTemplate.objects.filter(library=world.library).exists()
    assert AuditEvent.objects.filter(action="notices.text_reset").count() == 1


def test_a_letter_is_previewed_as_a_pdf_without_saving(librarian, world, pdf_text):
    response = librarian.post(LETTER_JA + "pdf/", _form(body="見本の文面 {{ name }} 様"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content)
    assert f"見本の文面 {SAMPLE.name} 様" in text
    assert postal_display(SAMPLE.postal_code) in text
    assert not NoticeTemplate.objects.filter(library=world.library).exists()


def test_an_unknown_text_or_language_is_not_found(librarian, world):
    assert librarian.get("/notices/texts/overdue_fax/ja/").status_code == 404
    assert librarian.get("/notices/texts/overdue_letter/fr/").status_code == 404
