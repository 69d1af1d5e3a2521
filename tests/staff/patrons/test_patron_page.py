"""The patron's page and what can be done from it: every opening is an access event (and
the page says so), editing, renewal, blocks, serving at the desk, the card PDF."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from shoka.audit.models import AccessEvent, AuditEvent
from shoka.patrons.models import Patron, PatronStatus


def test_viewing_a_patron_writes_an_access_event_and_the_page_says_so(clerk, world):
    patron = world.patron("渡辺 さくら", "ワタナベ サクラ")

    html = clerk.get(f"/patrons/{patron.pk}/").content.decode()

    event = AccessEvent.objects.get(action="patron.viewed", object_id=str(patron.pk))
    assert event.actor == f"user:{world.staff_user.pk}"
    assert event.data == {"context": "patrons.page"}
    assert "This view was recorded in the access log at 11:00" in html
    assert "渡辺 さくら" in html
    assert "0263-12-3456" in html  # the phone in its national form
    assert "✓ May borrow" in html


def test_each_opening_is_recorded_again(clerk, world):
    patron = world.patron()
    clerk.get(f"/patrons/{patron.pk}/")
    clerk.get(f"/patrons/{patron.pk}/")
    assert AccessEvent.objects.filter(action="patron.viewed").count() == 2


def test_the_page_shows_loans_holds_and_why_loans_are_refused(clerk, world, now):
    from shoka.circulation import services

    patron = world.patron()
    item = world.item()
    services.checkout(item.barcode, patron, branch=world.main, actor=world.staff, at=now)
    Patron.objects.filter(pk=patron.pk).update(status=PatronStatus.BLOCKED, block_reason="紛失")

    html = clerk.get(f"/patrons/{patron.pk}/").content.decode()

    assert "On loan: 1 item" in html
    assert item.barcode in html
    assert "✕ Loans refused" in html
    assert "紛失" in html
    assert "Lift the block" in html


def test_an_unknown_patron_is_not_found(clerk):
    assert clerk.get("/patrons/999999/").status_code == 404
    assert not AccessEvent.objects.exists()


def test_editing_changes_the_registration(clerk, world):
    patron = world.patron()
    form = clerk.get(f"/patrons/{patron.pk}/edit/")
    assert 'value="山田 花子"' in form.content.decode()
    assert AccessEvent.objects.filter(data={"context": "patrons.edit"}).count() == 1
    values = dict(form.context["form"].initial)
    values |= {"phone": "090-1234-5678", "notify_channel": "phone", "pin": ""}
    values["birth_date"] = values["birth_date"].isoformat()

    response = clerk.post(f"/patrons/{patron.pk}/edit/", values, follow=True)

    assert response.redirect_chain == [(f"/patrons/{patron.pk}/", 303)]
    patron.refresh_from_db()
    assert patron.phone == "+819012345678"
    assert patron.notify_channel == "phone"
    assert "The changes are saved." in response.content.decode()
    event = AuditEvent.objects.get(action="patron.updated")
    assert event.data == {"fields": ["notify_channel", "phone"]}


def test_the_language_of_notices_is_chosen_on_the_edit_screen(clerk, world):
    patron = world.patron()
    form = clerk.get(f"/patrons/{patron.pk}/edit/")
    html = form.content.decode()
    assert 'name="language"' in html and "Language of notices" in html
    values = dict(form.context["form"].initial) | {"language": "en", "pin": ""}
    values["birth_date"] = values["birth_date"].isoformat()

    clerk.post(f"/patrons/{patron.pk}/edit/", values)

    patron.refresh_from_db()
    assert patron.language == "en"
    page = clerk.get(f"/patrons/{patron.pk}/").content.decode()
    assert re.search(r"Language of notices</dt><dd>English</dd>", page)


def test_an_unknown_language_is_refused_on_the_form(clerk, world):
    patron = world.patron()
    values = dict(clerk.get(f"/patrons/{patron.pk}/edit/").context["form"].initial)
    values |= {"language": "fr", "pin": "", "birth_date": ""}

    response = clerk.post(f"/patrons/{patron.pk}/edit/", values)

    assert 'id="id_language_error"' in response.content.decode()
    patron.refresh_from_db()
    assert patron.language == "ja"


def test_a_bad_edit_is_refused_and_keeps_what_was_typed(clerk, world):
    patron = world.patron()
    values = dict(clerk.get(f"/patrons/{patron.pk}/edit/").context["form"].initial)
    values |= {"email": "hanako@", "birth_date": "", "pin": "12"}

    html = clerk.post(f"/patrons/{patron.pk}/edit/", values).content.decode()

    assert 'id="id_email_error"' in html
    assert 'id="id_pin_error"' in html
    assert 'value="hanako@"' in html
    patron.refresh_from_db()
    assert patron.email is None


def test_renewing_the_registration_extends_it(clerk, world, at):
    patron = world.patron()
    before = patron.expires_on

    response = clerk.post(f"/patrons/{patron.pk}/renew/", follow=True)

    patron.refresh_from_db()
    assert patron.expires_on == before.replace(year=before.year + 3)
    assert f"The registration is renewed until {patron.expires_on.isoformat()}." in (
        response.content.decode()
    )
    assert AuditEvent.objects.filter(action="patron.registration_renewed").count() == 1


def test_renewal_takes_only_a_post(clerk, world):
    patron = world.patron()
    assert clerk.get(f"/patrons/{patron.pk}/renew/").status_code == 405


def test_blocking_needs_a_reason_and_can_be_lifted(clerk, world):
    patron = world.patron()
    refused = clerk.post(f"/patrons/{patron.pk}/block/", {"reason": " "}, follow=True)
    assert "Give a reason for the block" in refused.content.decode()
    patron.refresh_from_db()
    assert patron.status == PatronStatus.ACTIVE

    clerk.post(f"/patrons/{patron.pk}/block/", {"reason": "カード紛失の届け"})
    patron.refresh_from_db()
    assert (patron.status, patron.block_reason) == (PatronStatus.BLOCKED, "カード紛失の届け")

    clerk.post(f"/patrons/{patron.pk}/unblock/")
    patron.refresh_from_db()
    assert patron.status == PatronStatus.ACTIVE


def test_serve_at_the_desk_opens_the_desk_with_this_patron(clerk, world):
    patron = world.patron()
    response = clerk.post(f"/patrons/{patron.pk}/desk/", follow=True)
    assert response.redirect_chain == [("/desk/", 303)]
    assert clerk.client.session["desk.patron"] == patron.pk
    assert "山田 花子" in response.content.decode()


def test_the_card_is_a_cr80_pdf_with_the_name_the_number_and_an_nw7_barcode(clerk, world, pdf_text):
    patron = world.patron("高橋 結衣", "タカハシ ユイ")

    response = clerk.get(f"/patrons/{patron.pk}/card/")

    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4, 1) == 85.6
    assert round(float(box.height) / 72 * 25.4, 1) == 54.0
    text = pdf_text(response.content)
    assert "書架市立図書館" in text
    assert "高橋 結衣" in text
    assert patron.card_number in text
    assert reader.metadata.title == "patron card"  # never the patron's name
    assert AccessEvent.objects.filter(data={"context": "patrons.card"}).count() == 1


def test_the_card_barcode_is_codabar_with_start_and_stop_characters():
    from shoka.staff.patrons.cards import codabar

    symbol = codabar("100001", 78 * 2.8346)
    assert symbol.encoded == "A100001A"
    long_symbol = codabar("1" * 20, 78 * 2.8346)
    assert long_symbol.width <= 78 * 2.8346 + 0.01


def test_without_an_active_branch_the_screens_say_so(clerk, world):
    from shoka.organisation.models import Branch

    patron = world.patron()
    Branch.objects.update(is_active=False)
    assert clerk.get("/patrons/").status_code == 503
    assert clerk.get("/patrons/new/").status_code == 503
    assert clerk.get(f"/patrons/{patron.pk}/").status_code == 503
    assert not AccessEvent.objects.exists()
