"""Lists of usernames or e-mail addresses (an operator's file) read and matched to users.

The same rules as ``force_password_reset --users-file``: one entry a line, blank lines and ``#``
comments skipped, a UTF-8 BOM ignored, duplicates counted once (addresses case-insensitively),
lines that are not UTF-8 reported by number; an address shared by several users is ambiguous.
(Meant to be the one implementation both use: the command can import :func:`read_lines` and
:func:`resolve` from here.)
"""

import sys

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

LOOKUP_CHUNK = 1000


def parse_lines(raw_lines):
    """(entries in order without duplicates, report dict) from an iterable of byte lines."""
    entries, seen = [], set()
    report = {"lines": 0, "blank": 0, "duplicates": 0, "undecodable": []}
    for number, raw in enumerate(raw_lines, start=1):
        report["lines"] += 1
        try:
            line = raw.decode("utf-8").strip().lstrip("\ufeff").strip()
        except UnicodeDecodeError:
            report["undecodable"].append(number)
            continue
        if not line or line.startswith("#"):
            report["blank"] += 1
            continue
        key = line.lower() if "@" in line else line
        if key in seen:
            report["duplicates"] += 1
            continue
        seen.add(key)
        entries.append(line)
    return entries, report


def read_lines(path):
    """:func:`parse_lines` of a file (``-``: standard input)."""
    handle = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    with handle:
        return parse_lines(handle)


def resolve(entries):
    """Map entries to user pks: (sorted pks, unknown entries, ambiguous entries)."""
    user_model = get_user_model()
    manager = user_model._default_manager
    username_field = user_model.USERNAME_FIELD
    found = {}
    for start in range(0, len(entries), LOOKUP_CHUNK):
        chunk = entries[start:start + LOOKUP_CHUNK]
        found.update(manager.filter(**{f"{username_field}__in": chunk}).values_list(username_field, "pk"))
    by_email = {}
    for address, pk in _users_by_address([e.lower() for e in entries if e not in found and "@" in e]):
        by_email.setdefault(address, []).append(pk)
    pks, unknown, ambiguous = [], [], []
    for entry in entries:
        if entry in found:
            pks.append(found[entry])
        elif "@" in entry and len(by_email.get(entry.lower(), [])) == 1:
            pks.append(by_email[entry.lower()][0])
        elif "@" in entry and by_email.get(entry.lower()):
            ambiguous.append(entry)
        else:
            unknown.append(entry)
    return sorted(set(pks)), unknown, ambiguous


def _users_by_address(addresses):
    """(lower-cased address, pk) of the users with one of these addresses.

    Addresses are compared lower-cased, which no index serves: a long list is matched in one pass
    over the users rather than one scan per chunk.
    """
    rows = get_user_model()._default_manager.annotate(_ssa_email=Lower(get_user_model().get_email_field_name()))
    if len(addresses) <= LOOKUP_CHUNK:
        return rows.filter(_ssa_email__in=addresses).values_list("_ssa_email", "pk") if addresses else []
    wanted = set(addresses)
    return ((address, pk) for address, pk in rows.values_list("_ssa_email", "pk").iterator(chunk_size=5000)
            if address in wanted)
