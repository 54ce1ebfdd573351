from django.contrib.auth import get_user_model
from django.db.models import Count, F, Value
from django.db.models.functions import Left, StrIndex
from django.utils.translation import gettext as _

from ..core.figures import Figure
from .schemes import legacy_algorithms, scheme_id, scheme_label
from .wrapped import ALGORITHM as WRAPPED

ARGON2 = "argon2"
UNUSABLE = "!"


def scheme_counts():
    """{scheme: accounts} from the prefix of ``User.password`` ("!" for unusable passwords).

    Keys are the scheme names the commands take (``md5``, not the stored prefix ``legacy_md5``).
    """
    users = get_user_model()._default_manager.annotate(dollar=StrIndex(F("password"), Value("$")))
    counts = {}
    rows = (users.annotate(prefix=Left(F("password"), F("dollar") - 1))
            .values("prefix", "dollar").annotate(n=Count("pk")))
    for row in rows:
        scheme = row["prefix"] if row["dollar"] > 0 else UNUSABLE
        if scheme.startswith(UNUSABLE) or not scheme:
            scheme = UNUSABLE
        scheme = scheme_id(scheme)
        counts[scheme] = counts.get(scheme, 0) + row["n"]
    return counts


def figures():
    counts = scheme_counts()
    legacy_schemes = {scheme_id(algorithm) for algorithm in legacy_algorithms()}
    legacy = {scheme: n for scheme, n in sorted(counts.items()) if scheme in legacy_schemes}
    labels = {scheme: scheme_label(scheme) for scheme in counts}
    return [
        Figure("hash_schemes", _("Accounts per password hash scheme"), None, breakdown=dict(sorted(counts.items())),
               labels=labels),
        Figure("legacy_hashes", _("Accounts still holding a legacy hash (neither argon2id nor wrapped)"),
               None, breakdown=legacy, labels=labels),
        Figure("wrapped_hashes", _("Accounts holding a wrapped legacy hash"), counts.get(WRAPPED, 0)),
    ]
