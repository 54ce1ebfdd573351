"""A real SMTP server (aiosmtpd) on loopback that answers 451 to every ``refuse_every``-th message and
drops the connection once, counting what it accepted per recipient."""

import asyncio
import socket
import threading
import time
from collections import Counter

from aiosmtpd.controller import Controller


def free_port():
    """A loopback port nothing listens on now (test runs side by side must not share one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FlakyHandler:
    def __init__(self, refuse_every=7, drop_at_recipient=3, delay=0.0):
        self.refuse_every, self.drop_at_recipient, self.delay = refuse_every, drop_at_recipient, delay
        self.accepted = Counter()
        self.messages = self.recipients = self.refused = self.dropped = 0
        self.first_accepted_at = None
        self.lock = threading.Lock()
        self.gate = threading.Event()  # cleared: each message waits at its end (data sent, no reply yet)
        self.gate.set()
        self.held = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.recipients += 1
            drop = self.recipients == self.drop_at_recipient
        if drop:
            self.dropped += 1
            server.transport.close()  # the connection is gone before the message: the client tries again
            return "421 4.4.2 closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow server: the sender's pace is the server's
        if not self.gate.is_set():
            self.held += 1
            while not self.gate.is_set():  # the client may be killed meanwhile: the message still arrives
                await asyncio.sleep(0.01)
        with self.lock:
            self.messages += 1
            if self.refuse_every and self.messages % self.refuse_every == 0:
                self.refused += 1
                return "451 4.3.0 Try again later"
            for address in envelope.rcpt_tos:
                self.accepted[address] += 1
            if self.first_accepted_at is None:
                self.first_accepted_at = time.time()
        return "250 OK"


class SMTPServer:
    """``with SMTPServer(port) as server:`` … ``server.handler.accepted``."""

    def __init__(self, port, **handler_options):
        self.handler = FlakyHandler(**handler_options)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)
        self.port = port

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
        return False
