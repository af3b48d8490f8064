"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests."""

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler keeping each message received."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SMTPServer:
    """An aiosmtpd server on 127.0.0.1 and a free port; stop() and start() it again to
    play a mail server going down and coming back."""

    def __init__(self):
        self.handler = Collector()
        self.port = free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def envelopes(self):
        return self.handler.envelopes

    @property
    def messages(self):
        return [
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            for envelope in self.envelopes
        ]


def use_smtp_server(settings, server):
    """Point Django's mail settings at `server`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 3
