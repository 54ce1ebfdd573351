from django.contrib.auth import get_user_model
from django.db.models import Count, F, Value
from django.db.models.functions import Left, StrIndex
from django.utils.translation import gettext as _

from ..core.figures import Figure
from .schemes import legacy_algorithms
from .wrapped import ALGORITHM as WRAPPED

ARGON2 = "argon2"
UNUSABLE = "!"


def scheme_counts():
    """{algorithm: accounts} from the prefix of ``User.password`` ("!" for unusable passwords)."""
    users = get_user_model()._default_manager.annotate(dollar=StrIndex(F("password"), Value("$")))
    counts = {}
    rows = (users.annotate(prefix=Left(F("password"), F("dollar") - 1))
            .values("prefix", "dollar").annotate(n=Count("pk")))
    for row in rows:
        scheme = row["prefix"] if row["dollar"] > 0 else UNUSABLE
        if scheme.startswith(UNUSABLE) or not scheme:
            scheme = UNUSABLE
        counts[scheme] = counts.get(scheme, 0) + row["n"]
    return counts


def figures():
    counts = scheme_counts()
    legacy = {scheme: n for scheme, n in counts.items() if scheme in legacy_algorithms()}
    return [
        Figure("hash_schemes", _("Accounts per password hash scheme"), None, breakdown=dict(sorted(counts.items()))),
        Figure("legacy_hashes", _("Accounts still holding a legacy hash (neither argon2id nor wrapped)"),
               None, breakdown=legacy),
        Figure("wrapped_hashes", _("Accounts holding a wrapped legacy hash"), counts.get(WRAPPED, 0)),
    ]
