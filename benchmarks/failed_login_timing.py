"""What a failed login costs, by what the username names: nobody, an argon2id member, a member whose
stored hash is a slow legacy bcrypt (cost 13). All three should cost the same (within ±25 %).

    .venv/bin/python benchmarks/failed_login_timing.py [--rounds 5] [--cost 13]

The example project's real argon2id, on a throw-away SQLite database, through the storefront login
(the whole pipeline); each round tries the three in turn from a fresh address, and the figure is the
median per kind. Every figure is measured in the same run.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import median, setup_django  # noqa: E402

PASSWORD = "the right one 2024"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cost", type=int, default=13)
    args = parser.parse_args()
    setup_django()
    import bcrypt
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from secure_shopadmin.hashers import from_legacy

    setup_test_environment()
    users = get_user_model().objects
    users.create_user("argon2member", "a@members.example", PASSWORD)
    slow = users.create_user("bcryptmember", "b@members.example")
    slow.password = from_legacy("bcrypt_php", bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(args.cost)).decode())
    slow.save()
    kinds = ("nobody-at-all", "argon2member", "bcryptmember")
    timings = {kind: [] for kind in kinds}
    for n in range(args.rounds + 1):
        for kind in kinds:
            started = time.perf_counter()
            Client().post("/login/", {"username": kind, "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{n + 1}")
            if n:  # the first round warms up (the slowest format is looked up once per process)
                timings[kind].append(time.perf_counter() - started)
    medians = {kind: median(values) for kind, values in timings.items()}
    for kind, value in medians.items():
        print(f"  {kind:<16} {value * 1000:8.1f} ms")
    ratio = max(medians.values()) / min(medians.values())
    print(f"slowest / fastest failed login: {ratio:.2f} (target <= 1.25, bcrypt cost {args.cost})")
    sys.exit(0 if ratio <= 1.25 else 1)


if __name__ == "__main__":
    main()
