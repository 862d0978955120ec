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


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self):
        sink = self.server.sink
        self.reply("220 paeria-test SMTP")
        recipients = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 paeria-test")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                message = message_from_bytes(b"".join(data), policy=policy.default)
                sink.received.append((list(recipients), message))
                self.reply("250 OK queued")
            elif verb == "RSET":
                recipients = []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


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
