"""The simulated population of tests/risk/population.py: 200 members over 30 days and 200
leaked-password attackers, replayed through today's rule and through the risk rules with the default
``RISK_POLICY``. Targets: >= 99 % of attackers challenged or blocked, <= 2 % of members' logins challenged.

    .venv/bin/python benchmarks/risk_population.py [--seed 2026] [--members 200] [--attackers 200] [--days 30]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup_django  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--attackers", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    setup_django()
    sys.path.insert(0, str(ROOT))
    from tests.risk import population

    counts, rates = population.run(population.population(args.seed, args.members, args.attackers, args.days))
    print(f"{args.members} members over {args.days} days ({counts['legit']} logins after each one's first), "
          f"{counts['attackers']} attackers, seed {args.seed}")
    for name, rate in rates.items():
        print(f"  {name:<42} {rate:7.2%}")
    ok = (rates["risk: attackers challenged or blocked"] >= 0.99
          and rates["risk: legitimate logins challenged"] <= 0.02)
    print("targets (>= 99 % attackers challenged or blocked, <= 2 % legitimate challenged):",
          "ok" if ok else "MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
