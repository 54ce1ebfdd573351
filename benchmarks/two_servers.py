"""Two app servers, one truth: two gunicorn servers of the example shop on two loopback ports share
one PostgreSQL database and one Redis; 8 parallel clients attack both at once.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME SSA_REDIS_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python benchmarks/two_servers.py [--ports 8140 8141] [--attempts 40]

BENCH_DATABASE_URL names a database of its own (the schema is migrated into it and four accounts are
made there; a database made before a change of the app's one migration must be made anew).

The attacks, each from its own address (``X-Forwarded-For``; loopback is the trusted proxy), every
request sent alternately to either server:

* wrong passwords for one staff account: the (account, IP) pair allows 5 checks;
* the right (leaked) password of another staff account, then wrong codes: 5 codes per (account, IP);
* credential stuffing, many usernames from one address: the IP allows 20 checks.

Then victims log in from clean addresses, and a member's sessions, one on each server, are ended by
the owner's "End all sessions" on one of them. Printed: attempts, checks per rule against its limit,
attempts past a limit (must be 0), 5xx answers (must be 0), victims logged in, sessions ended. The
PostgreSQL leg of CI runs the same through ``tests/guard/test_two_servers.py``.
"""

import argparse
import base64
import http.client
import os
import secrets
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "two servers share one truth 7"
LIMITS = {"pair": 5, "codes": 5, "ip": 20}
#: each attack's own address, and what its checks are (counted by the servers, ``two_servers_counting``)
ATTACKERS = {"pair": ("203.0.113.10", "hash"), "codes": ("203.0.113.20", "totp"), "ip": ("203.0.113.30", "hash")}
USERS = ("victim", "clerk", "owner", "member0001")


class Browser:
    """A cookie-keeping client of one server, sending its own address as X-Forwarded-For."""

    def __init__(self, port, address):
        self.port, self.address, self.cookies = port, address, {}

    def request(self, method, path, data=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"X-Forwarded-For": self.address, "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body, headers["Content-Type"] = urlencode(data), "application/x-www-form-urlencoded"
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        connection.close()
        return response.status, response.getheader("Location", ""), content

    def login(self, path, username, password):
        self.request("GET", path)
        return self.request("POST", path, {"username": username, "password": password})


def totp_code(key, at=None):
    import pyotp

    return pyotp.TOTP(base64.b32encode(key).decode()).at(at or time.time())


def seed():
    """The accounts the run uses (in the database Django is set up on); returns {username: TOTP key}."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user_model.objects.filter(username__in=USERS).delete()
    keys = {}
    for name in USERS:
        user = user_model.objects.create_user(name, f"{name}@shop.example", PASSWORD, is_staff=name != "member0001",
                                              is_superuser=name == "owner")
        if user.is_staff:
            keys[name] = _device(user)
    return keys


def _device(user):
    from secure_shopadmin.core import crypto
    from secure_shopadmin.twofactor.models import AuthenticatorDevice

    key = secrets.token_bytes(20)
    AuthenticatorDevice.objects.create(user=user, name="Phone", confirmed=True, key_encrypted=crypto.encrypt(key))
    return key


def start_servers(ports, database_url, redis_url, prefix):
    env = {**os.environ, "DATABASE_URL": database_url, "SSA_REDIS_URL": redis_url, "SSA_REDIS_PREFIX": prefix,
           "DJANGO_SETTINGS_MODULE": "two_servers_settings",
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), str(ROOT / "example_project"), str(ROOT)])}
    servers = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "shopconsole.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "2", "--timeout", "60", "--log-level", "warning"],
        env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for port in ports]
    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            try:
                if Browser(port, "192.0.2.1").request("GET", "/login/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or any(server.poll() is not None for server in servers):
                stop_servers(servers)
                raise RuntimeError("the servers did not start: " + b"".join(
                    s.stderr.read() for s in servers if s.poll() is not None).decode()[-2000:])
            time.sleep(0.3)
    return servers


def stop_servers(servers):
    for server in servers:
        if server.poll() is None:
            server.terminate()
    for server in servers:
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()


def attack_once(kind, i, ports, keys):
    """One attacker attempt, on server ``i % 2``: the status of its last answer."""
    port = ports[i % 2]
    if kind == "pair":
        status, _loc, _body = Browser(port, ATTACKERS["pair"][0]).login("/admin/login/", "victim", "wrong password")
        return status
    if kind == "ip":
        status, _loc, _body = Browser(port, ATTACKERS["ip"][0]).login("/login/", f"nobody{i:04d}", "wrong password")
        return status
    browser = Browser(port, ATTACKERS["codes"][0])
    status, location, _body = browser.login("/admin/login/", "clerk", PASSWORD)
    if status != 302 or "/2fa/verify/" not in location:
        return status
    code = "000000" if totp_code(keys["clerk"]) != "000000" else "111111"
    return browser.request("POST", "/security/2fa/verify/", {"otp_token": code})[0]


def victims_log_in(ports, keys):
    """Each victim from a clean address, on both servers in turn: {who: logged in}."""
    results = {}
    for n, name in enumerate(("victim", "clerk")):
        browser = Browser(ports[n % 2], f"198.51.100.{40 + n}")
        status, location, _ = browser.login("/admin/login/", name, PASSWORD)
        if status == 302 and "/2fa/verify/" in location:
            status, location, _ = browser.request("POST", "/security/2fa/verify/", {"otp_token": totp_code(keys[name])})
        results[name] = status == 302 and location.startswith("/admin/") and "login" not in location
    member = Browser(ports[1], "198.51.100.50")
    status, location, _ = member.login("/login/", "member0001", PASSWORD)
    results["member0001"] = status == 302 and "account" in location
    return results


def end_all_sessions(ports, keys, member_id):
    """A member logged in on each server; the owner ends all their sessions on the first: both end."""
    members = [Browser(port, f"198.51.100.{60 + n}") for n, port in enumerate(ports)]
    for member in members:
        member.login("/login/", "member0001", PASSWORD)
    before = [member.request("GET", "/account/")[0] == 200 for member in members]
    owner = Browser(ports[0], "198.51.100.70")
    owner.login("/admin/login/", "owner", PASSWORD)
    owner.request("POST", "/security/2fa/verify/", {"otp_token": totp_code(keys["owner"])})
    path = f"/admin/auth/user/{member_id}/sessions/end/"
    owner.request("GET", path)
    status, _loc, _body = owner.request("POST", path, {"reason": "two-server run"})
    after = [member.request("GET", "/account/")[0] == 200 for member in members]
    return {"logged_in_on_both": all(before), "owner_ended": status == 302, "ended_on_both": not any(after)}


def run(ports, database_url, redis_url, attempts=40, clients=8):
    """Seed (through the Django set up in this process), serve, attack; returns the figures."""
    from django.contrib.auth import get_user_model

    keys = seed()
    member_id = get_user_model().objects.get(username="member0001").pk
    prefix = f"ssa-two-servers-{uuid.uuid4().hex}"
    servers = start_servers(ports, database_url, redis_url, prefix)
    try:
        jobs = [(kind, i) for i in range(attempts) for kind in ("pair", "codes")] + [
            ("ip", i) for i in range(attempts + 20)]
        started = time.monotonic()
        with ThreadPoolExecutor(clients) as pool:
            answers = list(pool.map(lambda job: (job[0], attack_once(job[0], job[1], ports, keys)), jobs))
        seconds = time.monotonic() - started
        checks = {kind: _counted(redis_url, prefix, *ATTACKERS[kind]) for kind in LIMITS}
        victims = victims_log_in(ports, keys)
        sessions = end_all_sessions(ports, keys, member_id)
    finally:
        stop_servers(servers)
        _forget_redis(redis_url, prefix)
    return {
        "attempts": len(answers), "seconds": round(seconds, 1), "checks": checks, "limits": dict(LIMITS),
        "past_limit": sum(max(0, checks[kind] - LIMITS[kind]) for kind in LIMITS),
        "refused_429": sum(1 for _k, status in answers if status == 429),
        "server_errors": sum(1 for _k, status in answers if status >= 500),
        "victims": victims, "sessions": sessions,
    }


def _counted(redis_url, prefix, address, kind):
    import redis

    return int(redis.Redis.from_url(redis_url).get(f"{prefix}:count:{kind}:{address}") or 0)


def _forget_redis(redis_url, prefix):
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ports", nargs=2, type=int, default=[8140, 8141])
    parser.add_argument("--attempts", type=int, default=40)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", "")
    redis_url = os.environ.get("SSA_REDIS_URL", "redis://127.0.0.1:6379/0")
    if not database_url.startswith("postgres"):
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database (both servers share it)")
    os.environ.update({"SSA_REDIS_URL": redis_url, "SSA_REDIS_PREFIX": "ssa-two-servers-setup"})
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _setup import setup_django

    setup_django(database_url, settings_module="two_servers_settings")
    figures = run(args.ports, database_url, redis_url, attempts=args.attempts)
    _forget_redis(redis_url, "ssa-two-servers-setup")  # what this process counted while seeding
    print(f"attempts: {figures['attempts']} in {figures['seconds']} s on 2 servers, 8 clients")
    for kind, checked in figures["checks"].items():
        what = "codes checked" if kind == "codes" else "passwords hashed"
        print(f"  {kind:6} {what}: {checked} (limit {figures['limits'][kind]})")
    print(f"past-limit: {figures['past_limit']}")
    print(f"refused (429): {figures['refused_429']}")
    print(f"5xx: {figures['server_errors']}")
    print(f"victims logged in: {figures['victims']}")
    print(f"end all sessions: {figures['sessions']}")
    ok = (figures["past_limit"] == 0 and figures["server_errors"] == 0 and all(figures["victims"].values())
          and all(figures["sessions"].values()))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
