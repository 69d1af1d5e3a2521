"""A real SMTP server for the tests (aiosmtpd), and Django's mail settings pointed at it.
Used by the notices' email tests and the desk's emailed receipt."""

from __future__ import annotations

import email
import email.message
import email.policy
import socket

from aiosmtpd.controller import Controller


class Inbox:
    """An SMTP handler that keeps what it receives; `refuse` first replies with an error."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.attempts = 0
        self.refuse: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook
        self.attempts += 1
        if self.refuse:
            return self.refuse.pop(0)
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def parsed(self, i: int = 0) -> email.message.EmailMessage:
        return email.message_from_bytes(self.messages[i][1], policy=email.policy.default)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_smtp(settings, inbox: Inbox, **kwargs) -> Controller:
    """Start a server for `inbox` on a free port of 127.0.0.1 and point Django's mail at it
    (`settings` is pytest-django's fixture); `kwargs` go to aiosmtpd (TLS, authentication)."""
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "library@example.jp"
    return controller
