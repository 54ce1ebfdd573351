"""A breach campaign at the breach's size on PostgreSQL, its mails going to an SMTP sink on loopback.

    .venv/bin/python benchmarks/campaign.py [--members 101624] [--mails-per-minute 1200] [--wrap-seconds 60]
        [--database-url postgres://postgres@127.0.0.1:5432/ssa_campaign_bench] [--smtp-port 8263]

Twice the members (fast legacy md5 hashes, 5,000 with a live session) are seeded into a fresh
database; ``force_password_reset``'s bulk path resets the first half (the baseline), the second
half is added to a campaign from the list of their addresses and applied; then the run (``runner.run``,
what ``run_campaign`` does) goes on for as long as containment takes plus ``--wrap-seconds`` of the
wrap, and stops. Printed:

* the time to contain every member (target <= 60 s), and against the baseline;
* the time from the run's start until the SMTP sink accepts the first mail (target <= 5 s);
* the mail rate the sink saw against ``CAMPAIGN_MAILS_PER_MINUTE`` (the configured limit);
* the wrap's steady rate (hashes a second, mails still going) against raw argon2-cffi hashing the same
  number of values at the same parameters in as many processes, measured in the same run (target >= 0.90);
* peak memory: the run's process, and its largest wrap worker.
"""

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example_project"
SESSIONS = int(os.environ.get("BENCH_SESSIONS", 5000))  # members with a recorded live session
SETTINGS = """
from shopconsole.settings import *  # noqa: F401,F403
from shopconsole.settings import SECURE_SHOPADMIN
DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST, EMAIL_PORT, EMAIL_TIMEOUT = "127.0.0.1", %(port)d, 30
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND, "OPTIONS": {"host": EMAIL_HOST, "port": EMAIL_PORT}}}
SECURE_SHOPADMIN = {**SECURE_SHOPADMIN, "CAMPAIGN_MAILS_PER_MINUTE": %(per_minute)d, "SITE_URL": "https://shop.example"}
"""


class Stop(Exception):
    """The wrap has been measured long enough: the run stops here (resumable, as after a kill)."""


# --- the parent: database, SMTP sink, report ---------------------------------------------------------

class Sink:
    """An SMTP server that accepts everything and notes when."""

    def __init__(self):
        self.count, self.first, self.last = 0, None, None

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        self.count += 1
        self.first = self.first or now
        self.last = now
        return "250 OK"


def fresh_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    try:
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True,
                             connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        sys.exit(f"cannot (re)create the benchmark database {name!r} ({str(error).strip().splitlines()[0]}): "
                 "start PostgreSQL, or pass --database-url of a server where you may create databases")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "shopconsole.settings",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(EXAMPLE)])}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=EXAMPLE, env=env, check=True)


def parent(args):
    from aiosmtpd.controller import Controller

    fresh_database(args.database_url)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=args.smtp_port)
    controller.start()
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, "bench_campaign_settings.py").write_text(
            SETTINGS % {"port": args.smtp_port, "per_minute": args.mails_per_minute})
        env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "bench_campaign_settings",
               "PYTHONPATH": os.pathsep.join([directory, str(ROOT), str(EXAMPLE)])}
        done = subprocess.run([sys.executable, __file__, "--child", "--members", str(args.members),
                               "--wrap-seconds", str(args.wrap_seconds), *([] if args.baseline else ["--no-baseline"])],
                              env=env, capture_output=True, text=True)
    controller.stop()
    if done.returncode:
        sys.exit(done.stderr)
    row = json.loads(done.stdout.strip().splitlines()[-1])
    report(args, row, sink)


def report(args, row, sink):
    print(f"{row['members']} members on PostgreSQL, {min(row['sessions'], row['members'])} live sessions; "
          f"argon2id {row['params']}, {row['workers']} wrap processes on {os.cpu_count()} CPUs")
    print(f"contain: {row['contain_s']:.1f} s for {row['required']} resets required, sessions ended "
          f"(target <= 60 s; load average {row['load'][0]:.1f} before the run, {row['load'][1]:.1f} after)")
    if row["baseline_s"]:
        print(f"  force_password_reset's bulk path on {row['members']} other members in the same run: "
              f"{row['baseline_s']:.1f} s -> contain x{row['contain_s'] / row['baseline_s']:.2f}")
    first = sink.first - row["run_started"] if sink.first else float("nan")
    print(f"first mail accepted by the SMTP server {first:.1f} s after the run started (target <= 5 s)")
    window = (sink.last - sink.first) if sink.count > 1 else float("nan")
    rate = (sink.count - 1) / window * 60 if sink.count > 1 else 0.0
    limit = args.mails_per_minute
    print(f"mails: {sink.count} accepted in {window:.0f} s: {rate:.0f} a minute against the configured "
          f"{limit or 'unlimited'} ({rate / limit:.2f}x the limit)" if limit else
          f"mails: {sink.count} accepted in {window:.0f} s: {rate:.0f} a minute (no limit configured)")
    ratio = row["wrap_rate"] / row["raw_rate"] if row["raw_rate"] else float("nan")
    before, after = row["raw_rates"]
    print(f"wrap: {row['wrapped']} wrapped, steady {row['wrap_rate']:.1f}/s (mails still going); raw argon2-cffi "
          f"{row['raw_rate']:.1f}/s at the same parameters and processes (mean of {before:.1f} before and "
          f"{after:.1f} after the run) -> {ratio:.2f}x (target >= 0.90)")
    full = row["members"] / row["wrap_rate"] if row["wrap_rate"] else float("nan")
    print(f"wrap of all {row['members']} at this rate: {full / 60:.0f} min")
    print(f"peak memory: run process {row['peak_rss_mb']:.0f} MB (seeding included), largest wrap worker "
          f"{row['worker_rss_mb']:.0f} MB")


# --- the child: seed, run, measure --------------------------------------------------------------------

def seed(count):
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    from secure_shopadmin.core.sessions import record_key

    with connection.cursor() as cursor, cursor.cursor.copy(
            "COPY auth_user (username, email, password, first_name, last_name, is_superuser, is_staff, "
            "is_active, date_joined) FROM STDIN") as copy:
        for i in range(count):
            copy.write_row((f"m{i:06d}", f"m{i:06d}@members.example",
                            "legacy_md5$" + hashlib.md5(f"pw{i}".encode()).hexdigest(), "", "", False, False, True,
                            "2020-01-01T00:00:00Z"))
    users = get_user_model().objects
    for user in [*users.order_by("pk")[:SESSIONS], *users.order_by("-pk")[:SESSIONS]][:2 * min(SESSIONS, count // 2)]:
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store.create()
        record_key(store.session_key, user, "storefront")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


def baseline_reset(count):
    """``force_password_reset``'s bulk path (``require_reset``, mails queued) over the first ``count`` members:
    the baseline of containment, measured on the same machine in the same run."""
    from django.contrib.auth import get_user_model

    from secure_shopadmin.resets import services as reset_services
    from secure_shopadmin.resets.models import ResetMode

    ids = list(get_user_model().objects.order_by("pk").values_list("pk", flat=True)[:count])
    started = time.perf_counter()
    reset_services.require_reset(ids, mode=ResetMode.COMPROMISED, reason="baseline", notify=True)
    return time.perf_counter() - started


def raw_rate(params, workers, count):
    """argon2id hashes a second of argon2-cffi alone in ``workers`` spawned processes (pool warmed first)."""
    from secure_shopadmin.hashers.argon2_worker import argon2_tags
    from secure_shopadmin.hashers.wrapping import WorkerContext

    items = [(hashlib.md5(str(i).encode()).hexdigest(), os.urandom(16)) for i in range(count)]
    with ProcessPoolExecutor(workers, mp_context=WorkerContext()) as pool:
        list(pool.map(argon2_tags, [items[:1]] * workers, [params.as_tuple()] * workers))
        started = time.perf_counter()
        list(pool.map(argon2_tags, [[item] for item in items], [params.as_tuple()] * count, chunksize=4))
        return count / (time.perf_counter() - started)


class WrapWatch:
    """The wrap's progress callback: its steady rate from the first chunk written; stops the run when done."""

    def __init__(self, seconds):
        self.seconds, self.first_at, self.first_count, self.count, self.last_at = seconds, None, 0, 0, None
        self.worker_peak_mb, self.looked_at = 0.0, 0.0

    def __call__(self, n):
        now = time.perf_counter()
        if now - self.looked_at > 2:
            self.looked_at = now
            self.worker_peak_mb = max(self.worker_peak_mb, peak_rss_of_children_mb())
        self.count += n
        if self.first_at is None:
            self.first_at, self.first_count = now, self.count
        self.last_at = now
        if now - self.first_at >= self.seconds:
            raise Stop

    @property
    def rate(self):
        elapsed = (self.last_at or 0) - (self.first_at or 0)
        return (self.count - self.first_count) / elapsed if elapsed > 0 else 0.0


def peak_rss_of_children_mb():
    """The largest peak resident memory (VmHWM) among this process's child processes now alive."""
    me, peak = str(os.getpid()), 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == me and "VmHWM" in fields:
            peak = max(peak, int(fields["VmHWM"].split()[0]))
    return peak / 1024


def child(args):
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from secure_shopadmin.campaigns import runner, services, targets, wrap
    from secure_shopadmin.campaigns.models import Campaign
    from secure_shopadmin.hashers.wrapped import default_params

    seed(args.members * (2 if args.baseline else 1))
    baseline = baseline_reset(args.members) if args.baseline else None
    campaign = services.create("bench", reason="benchmark")
    members = get_user_model().objects.order_by("pk")[args.members if args.baseline else 0:]
    listing = [f"{address}\n".encode() for address in members.values_list("email", flat=True)]
    targets.add_upload(campaign, listing, label="leaked.txt")
    services.apply(campaign)
    params = default_params()
    workers = wrap.workers_for(params)
    raw_before = raw_rate(params, workers, workers * 40)  # the machine may be shared: before and after the run
    watch = WrapWatch(args.wrap_seconds)
    load = os.getloadavg()[0]
    run_started = time.time()
    report = None
    try:
        report = runner.run(campaign, wrap_progress=watch)
    except Stop:
        pass
    phases = Campaign.objects.get(pk=campaign.pk).phases
    required = campaign.targets.filter(required_at__isnull=False).count()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak = watch.worker_peak_mb
    raw_after = raw_rate(params, workers, max(workers * 8, int(watch.rate * 10)))
    print(json.dumps({
        "members": args.members, "sessions": SESSIONS, "params": str(params), "workers": workers,
        "run_started": run_started, "contain_s": phases["contain"]["seconds"], "required": required,
        "wrapped": campaign.targets.filter(wrap_state="wrapped").count(), "wrap_rate": watch.rate,
        "raw_rate": (raw_before + raw_after) / 2, "raw_rates": [raw_before, raw_after], "peak_rss_mb": peak,
        "worker_rss_mb": worker_peak, "finished": report is not None, "baseline_s": baseline,
        "load": [load, os.getloadavg()[0]],
    }))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=101_624)
    parser.add_argument("--mails-per-minute", type=int, default=1200)
    parser.add_argument("--wrap-seconds", type=float, default=60.0,
                        help="how long the wrap is measured before the run stops")
    parser.add_argument("--smtp-port", type=int, default=8263)
    parser.add_argument("--no-baseline", dest="baseline", action="store_false",
                        help="skip timing force_password_reset's bulk path on as many other members first")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ssa_campaign_bench")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        return child(args)
    return parent(args)


if __name__ == "__main__":
    main()
