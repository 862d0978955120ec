"""A real SMTP server for tests, in a thread on 127.0.0.1: the portal's
MailHost talks SMTP to it over TCP as it would to the council's mail server,
and the test reads what arrived.

    with SmtpSink() as sink:
        configure_mailhost(portal, sink.port)
        ...
        (message,) = sink.messages  # email.message.Message
"""

from email import message_from_bytes
from email import policy
import socketserver
import threading


# Returned by the answer that ends the session.
_QUIT = object()


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self):
        self.reply("220 paeria-test SMTP")
        self.recipients = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            answer = _VERBS.get(verb, _Session.unknown)
            if answer(self, command) is _QUIT:
                return

    def hello(self, command):
        self.reply("250 paeria-test")

    def reset(self, command):
        self.recipients = []
        self.reply("250 OK")

    def recipient(self, command):
        self.recipients.append(command.split(":", 1)[1].strip(" <>"))
        self.reply("250 OK")

    def data(self, command):
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        data = []
        while True:
            chunk = self.rfile.readline()
            if chunk in (b".\r\n", b".\n", b""):
                break
            data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
        message = message_from_bytes(b"".join(data), policy=policy.default)
        self.server.sink.received.append((list(self.recipients), message))
        self.reply("250 OK queued")

    def noop(self, command):
        self.reply("250 OK")

    def quit(self, command):
        self.reply("221 Bye")
        return _QUIT

    def unknown(self, command):
        self.reply("502 Command not implemented")


# SMTP verb: its answer (MAIL starts a new message, as RSET does).
_VERBS = {
    "EHLO": _Session.hello,
    "HELO": _Session.hello,
    "MAIL": _Session.reset,
    "RCPT": _Session.recipient,
    "DATA": _Session.data,
    "RSET": _Session.reset,
    "NOOP": _Session.noop,
    "QUIT": _Session.quit,
}


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    def __init__(self):
        self.received = []

    @property
    def messages(self):
        return [message for _recipients, message in self.received]

    def __enter__(self):
        self.server = _Server(("127.0.0.1", 0), _Session)
        self.server.sink = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def configure_mailhost(portal, port, sender="seu@paeria.example"):
    """Point the site's MailHost at 127.0.0.1:``port`` with a sender address,
    as the mail control panel would. Mail goes out when the request's
    transaction commits (zope.sendmail's direct delivery), never for a request
    that fails."""
    from plone import api

    mailhost = portal.MailHost
    mailhost.smtp_host = "127.0.0.1"
    mailhost.smtp_port = port
    mailhost.smtp_queue = False
    api.portal.set_registry_record("plone.email_from_address", sender)
    api.portal.set_registry_record("plone.email_from_name", "Paeria")
    api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
    api.portal.set_registry_record("plone.smtp_port", port)
