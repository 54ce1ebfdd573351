"""A development mail backend: Django's console backend, each mail written as its reader sees it.

Django 6.1 writes a mail's text part quoted-printable, which breaks a long link over two lines with
an ``=`` at the end of the first. This backend writes the headers and the text part as they are,
so a developer can open a mailed link (an enrolment, a reset) straight from the terminal.
``secure_shopadmin.quickstart.configure()`` chooses it with ``DEBUG`` on. Never for production:
like the console backend, it prints the mails, links included.
"""

from django.core.mail.backends import console

BACKEND = "secure_shopadmin.core.console_mail.EmailBackend"


class EmailBackend(console.EmailBackend):
    def write_message(self, message):
        parts = " (and an HTML part)" if getattr(message, "alternatives", None) else ""
        self.stream.write(f"From: {message.from_email}\nTo: {', '.join(message.to)}\n"
                          f"Subject: {message.subject}{parts}\n\n{message.body}\n")
        self.stream.write("-" * 79 + "\n")
