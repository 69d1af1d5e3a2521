"""Notice templates are edited in the configuration screens, with a preview; a broken
template is refused with a clear error and the stored text is kept."""

from __future__ import annotations

import pytest

from shoka.audit.models import AuditEvent
from shoka.notices.models import NoticeTemplate


@pytest.fixture
def admin_client(client, world, django_user_model):
    admin = django_user_model.objects.create_superuser("admin1", password="x")
    client.force_login(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the texts checked are English
    return client


def _url(row: NoticeTemplate) -> str:
    return f"/admin/notices/noticetemplate/{row.pk}/change/"


def _form(row: NoticeTemplate, **changes) -> dict[str, str]:
    data = {
        "library": "",
        "key": row.key,
        "language": row.language,
        "subject": row.subject,
        "body": row.body,
    }
    return {**data, **changes}


def test_the_change_page_previews_the_template_on_made_up_data(admin_client):
    row = NoticeTemplate.objects.get(library=None, key="overdue_letter_child", language="ja")
    html = admin_client.get(_url(row)).content.decode()
    assert "見本 けんさんの保護者様" in html and "見本の本" in html


def test_a_postcard_preview_has_no_titles(admin_client):
    row = NoticeTemplate.objects.get(library=None, key="overdue_postcard", language="ja")
    row.body += "{% for i in items %}{{ i.title }}{% endfor %}"
    row.save()
    html = admin_client.get(_url(row)).content.decode()
    assert "見本の本" not in html


def test_a_changed_template_is_saved_and_audited(admin_client):
    row = NoticeTemplate.objects.get(library=None, key="overdue_letter", language="en")
    response = admin_client.post(_url(row), _form(row, body="Dear {{ name }}, hello."))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.body == "Dear {{ name }}, hello." and row.updated_at is not None
    assert AuditEvent.objects.filter(action="config.noticetemplate_changed").exists()


def test_a_broken_template_is_refused_and_the_text_kept(admin_client):
    row = NoticeTemplate.objects.get(library=None, key="overdue_letter", language="en")
    before = row.body
    response = admin_client.post(_url(row), _form(row, body="{% for i in items %}unclosed"))
    assert response.status_code == 200
    assert "The template cannot be read" in response.content.decode()
    row.refresh_from_db()
    assert row.body == before
