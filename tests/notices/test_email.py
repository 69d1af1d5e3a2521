"""Email notices against a real SMTP server (aiosmtpd) started in the test: recipients,
Japanese subjects and bodies correctly encoded, retries, failures reported."""

from __future__ import annotations

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.utils import translation
from tests.conftest import AT
from tests.smtp import Inbox, free_port, start_smtp

from shoka.audit.models import AuditEvent
from shoka.notices.daily import run_notices
from shoka.notices.models import Notice

from .conftest import at_day


@pytest.fixture
def inbox(settings):
    box = Inbox()
    controller = start_smtp(settings, box)
    yield box
    controller.stop()


def _overdue_email_patron(borrowers, title="坊っちゃん"):
    hanako = borrowers.patron(email="hanako@example.jp", notify_channel="email")
    return hanako, borrowers.lend(hanako, title)


def test_an_overdue_email_arrives_in_japanese_correctly_encoded(world, borrowers, inbox):
    _, loan = _overdue_email_patron(borrowers)
    report = run_notices(world.library, at=at_day(loan.due_on, 1))
    assert report.emails_sent == 1
    [(recipients, raw)] = inbox.messages
    assert recipients == ["hanako@example.jp"]
    headers = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    assert headers.isascii()  # the Japanese subject is MIME-encoded (RFC 2047)
    message = inbox.parsed()
    # Python's generator folds the encoded subject onto continuation lines ("Subject:" then
    # " =?utf-8?b?…?="); unfolding leaves the fold's space in front, which readers ignore.
    assert message["Subject"].strip() == "【書架市立図書館】返却期限を過ぎた資料があります"
    assert message["To"] == "hanako@example.jp"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert body.startswith("山田 花子 様")
    assert "坊っちゃん" in body and "返却期限" in body


def test_each_patron_gets_the_email_in_their_own_language(world, borrowers, inbox):
    emily = borrowers.patron(
        "Emily Clarke",
        "クラーク エミリー",
        email="emily@example.jp",
        notify_channel="email",
        language="en",
    )
    _, loan = _overdue_email_patron(borrowers)
    borrowers.lend(emily, "こころ")  # a Japanese title in an English message
    with translation.override("ja"):  # the job's own language does not matter
        report = run_notices(world.library, at=at_day(loan.due_on, 1))
    assert report.emails_sent == 2
    by_recipient = {rcpt[0]: i for i, (rcpt, _) in enumerate(inbox.messages)}
    english = inbox.parsed(by_recipient["emily@example.jp"])
    japanese = inbox.parsed(by_recipient["hanako@example.jp"])

    assert english["Subject"].strip() == "[Shoka City Library] Items past their due date"
    assert english.get_content_charset() == "utf-8"
    body = english.get_content()
    assert body.startswith(f"Dear {emily.name},")
    assert "こころ" in body  # the title arrives intact (UTF-8)
    due = loan.due_on
    assert f"due {due.day} {due:%b} {due.year})" in body  # English month, whatever is active
    assert "返却" not in body and "様" not in body

    assert japanese["Subject"].strip() == "【書架市立図書館】返却期限を過ぎた資料があります"
    assert japanese.get_content().startswith("山田 花子 様")
    assert "Dear" not in japanese.get_content()
    raw = inbox.messages[by_recipient["hanako@example.jp"]][1]
    assert raw.replace(b"\r", b"").split(b"\n\n", 1)[0].isascii()  # headers MIME-encoded


def test_a_hold_ready_email_in_english_names_the_branch_in_english(world, borrowers, inbox):
    from shoka.circulation import services

    emily = borrowers.patron(
        "Emily Clarke",
        "クラーク エミリー",
        email="emily@example.jp",
        notify_channel="email",
        language="en",
    )
    world.east.name_en = "East Branch"
    world.east.save()
    item = world.item(world.bib("こころ"))
    hold = services.place_hold(item.bib, emily, pickup_branch=world.east, actor=world.staff, at=AT)
    services.checkin(item.barcode, branch=world.east, actor=world.staff, at=AT)
    run_notices(world.library, at=AT)
    message = inbox.parsed()
    assert message["Subject"].strip() == "[Shoka City Library] Your hold is ready"
    body = message.get_content()
    assert "Pickup at: East Branch" in body and "こころ" not in body
    hold.refresh_from_db()
    assert f"Pickup number: {hold.pickup_number}" in body


def test_a_childs_email_speaks_to_the_guardian(world, borrowers, inbox):
    ken = borrowers.patron(
        "山田 健",
        "ヤマダ ケン",
        category="child",
        birth_date=None,
        email="yamada.family@example.jp",
        notify_channel="email",
    )
    loan = borrowers.lend(ken, "ぐりとぐら")
    run_notices(world.library, at=at_day(loan.due_on, 1))
    message = inbox.parsed()
    assert message["Subject"].strip() == "【書架市立図書館】山田 健さんの本の返却について"
    assert message.get_content().startswith("山田 健さんの保護者様")


def test_an_smtp_failure_is_retried_then_reported(world, borrowers, inbox):
    inbox.refuse = ["451 4.3.0 Try again later"] * 5
    _, loan = _overdue_email_patron(borrowers)
    report = run_notices(world.library, at=at_day(loan.due_on, 1))
    assert inbox.attempts == 3  # SHOKA_NOTICE_EMAIL_TRIES
    assert (report.emails_sent, report.emails_failed) == (0, 1)
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts, notice.error) == ("failed", 3, "SMTPDataError 451")
    event = AuditEvent.objects.get(action="notice.failed")
    assert event.data == {"channel": "email", "attempts": 3, "reason": "SMTPDataError 451"}
    assert "hanako" not in str(event.data)
    # The next run neither re-creates the notice nor mails it again by itself.
    again = run_notices(world.library, at=at_day(loan.due_on, 2))
    assert (sum(again.created.values()), again.emails_failed, inbox.attempts) == (0, 0, 3)


def test_a_passing_failure_is_retried_and_sent(world, borrowers, inbox):
    inbox.refuse = ["421 4.7.0 Busy, try later"]
    _, loan = _overdue_email_patron(borrowers)
    report = run_notices(world.library, at=at_day(loan.due_on, 1))
    assert report.emails_sent == 1 and len(inbox.messages) == 1
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts, notice.error) == ("sent", 2, "")


def test_an_unreachable_server_is_reported_as_failed(world, borrowers, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    _, loan = _overdue_email_patron(borrowers)
    report = run_notices(world.library, at=at_day(loan.due_on, 1))
    assert report.emails_failed == 1
    assert Notice.objects.get().error == "ConnectionRefusedError"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_the_server_can_require_authentication(world, borrowers, settings):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login,
            auth_data.password,
        ) == (b"shoka", b"s3cret")
        return AuthResult(success=ok)

    box = Inbox()
    controller = start_smtp(
        settings, box, authenticator=authenticate, auth_required=True, auth_require_tls=False
    )
    try:
        settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "shoka", "s3cret"
        _, loan = _overdue_email_patron(borrowers)
        assert run_notices(world.library, at=at_day(loan.due_on, 1)).emails_sent == 1
        assert len(box.messages) == 1
    finally:
        controller.stop()


def _self_signed(tmp_path):
    """A certificate for 127.0.0.1, made for the test, and its key."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "smtp.pem", tmp_path / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _tls_server(settings, tmp_path, box):
    """A server that requires STARTTLS and then AUTH (user shoka, password pw), with a
    certificate made for the test; returns the controller and the certificate's path."""
    import ssl

    cert_path, key_path = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)

    def authenticate(server, session, envelope, mechanism, auth_data):
        # handled=False: aiosmtpd answers a failure with 535 itself.
        ok = (auth_data.login, auth_data.password) == (b"shoka", b"pw")
        return AuthResult(success=ok, handled=False)

    controller = start_smtp(
        settings,
        box,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    settings.EMAIL_USE_TLS = True
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "shoka", "pw"
    return controller, cert_path


def test_starttls_with_authentication_to_a_server_that_requires_it(
    world, borrowers, settings, tmp_path, monkeypatch
):
    box = Inbox()
    controller, cert_path = _tls_server(settings, tmp_path, box)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))  # the client trusts the test's CA
    try:
        _, loan = _overdue_email_patron(borrowers)
        assert run_notices(world.library, at=at_day(loan.due_on, 1)).emails_sent == 1
        assert box.messages[0][0] == ["hanako@example.jp"]
    finally:
        controller.stop()


def test_a_server_certificate_the_library_does_not_trust_is_refused_and_reported(
    world, borrowers, settings, tmp_path, monkeypatch
):
    box = Inbox()
    controller, _cert = _tls_server(settings, tmp_path, box)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the system's CAs only
    settings.SHOKA_NOTICE_EMAIL_TRIES = 1
    try:
        _, loan = _overdue_email_patron(borrowers)
        report = run_notices(world.library, at=at_day(loan.due_on, 1))
        assert (report.emails_sent, report.emails_failed) == (0, 1)
        assert Notice.objects.get().error == "SSLCertVerificationError"
        assert box.messages == []  # the password and the message never left unencrypted
    finally:
        controller.stop()


def test_a_wrong_password_is_refused_and_reported(
    world, borrowers, settings, tmp_path, monkeypatch
):
    box = Inbox()
    controller, cert_path = _tls_server(settings, tmp_path, box)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    settings.EMAIL_HOST_PASSWORD = "wrong"
    settings.SHOKA_NOTICE_EMAIL_TRIES = 1
    try:
        _, loan = _overdue_email_patron(borrowers)
        assert run_notices(world.library, at=at_day(loan.due_on, 1)).emails_failed == 1
        assert Notice.objects.get().error == "SMTPAuthenticationError 535"
        assert box.messages == []
    finally:
        controller.stop()
