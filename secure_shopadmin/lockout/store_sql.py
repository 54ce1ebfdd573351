"""One statement per reservation: the rules of :mod:`.store_db` written as one upsert of a rule set's rows.

``INSERT … SELECT … WHERE NOT EXISTS (a row of the set that refuses) ON CONFLICT DO UPDATE SET <age and
count> WHERE <this row does not refuse> RETURNING <the counts>`` (PostgreSQL; SQLite from 3.35). Each row
is aged and counted from its own latest version under the row lock the upsert takes, so parallel attempts
are serialised per row as with ``SELECT … FOR UPDATE``. The statement writes nothing when a row of the set
refuses (a refused flood costs no write); a row that came to refuse between the statement's snapshot and
its row lock is simply not returned, and the caller gives back the rows that were counted.

The arithmetic is :mod:`.counting`'s (``age_*`` and ``count_*``), applied in Python on the row-lock path
(MariaDB, older SQLite), which also starts a missing row here.

A rule set's statement text is built once per database vendor, set, exemption and rule settings and kept
(:func:`reservation_statement`): what changes per attempt (the moment, the keys, a missing row's values)
is bound as named parameters, :class:`Moment` and :class:`Given` in the kept template.
"""

import string
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.utils.dateparse import parse_datetime

from ..conf import app_settings
from . import rules
from .models import Counter

COLUMNS = ("failures", "window_started_at", "last_failure_at", "locked_until", "delayed_until", "level")
RETURNED = ("id", "rule", "failures", "locked_until", "delayed_until", "level")


def supported(connection):
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 35)


@dataclass
class Param:
    value: object


@dataclass(frozen=True)
class Moment:
    """The attempt's moment plus ``offset``: a kept statement's parameter, its value given at each run."""
    offset: timedelta = timedelta(0)

    def __add__(self, delta):
        return Moment(self.offset + delta)

    def __sub__(self, delta):
        return Moment(self.offset - delta)


@dataclass(frozen=True)
class Given:
    """Item ``index`` of the ``entry``-th key followed by its missing row's values (in :data:`COLUMNS` order)."""
    entry: int
    index: int


def sql(*items):
    """Join literal SQL (str), :class:`Param` values and (sql, params) fragments, in textual order."""
    text, params = [], []
    for item in items:
        if isinstance(item, str):
            text.append(item)
        elif isinstance(item, Param):
            text.append("%s")
            params.append(item.value)
        else:
            text.append(item[0])
            params.extend(item[1])
    return "".join(text), params


def case(*whens, default):
    """CASE WHEN c1 THEN v1 … ELSE default END; each condition and value an item for :func:`sql`."""
    items = ["CASE"]
    for condition, value in whens:
        items += [" WHEN ", condition, " THEN ", value]
    return sql(*items, " ELSE ", default, " END")


class Statement:
    """The SQL of one rule set's upsert on ``connection``."""

    def __init__(self, connection, now, alias=None):
        self.connection, self.now = connection, now
        self.table = connection.ops.quote_name(Counter._meta.db_table)
        self.alias = self.table if alias is None else alias

    def p(self, value):
        if hasattr(value, "tzinfo"):
            value = self.connection.ops.adapt_datetimefield_value(value)
        return Param(value)

    def col(self, name, table=None):
        """The column (its name a lower-case word), qualified by ``table`` or the alias unless that is ""."""
        table = table or self.alias
        return f"{table}.{name}" if table else name

    def after(self, name, moment, table=None):
        """The column holds a moment later than ``moment`` (never NULL)."""
        column = self.col(name, table)
        return sql("(", column, " IS NOT NULL AND ", column, " > ", self.p(moment), ")")

    def at_or_before(self, name, moment):
        """The column holds a moment no later than ``moment`` (NULL, as false, when it holds none): only for
        the conditions of CASE WHEN, combined with AND and OR, never under NOT."""
        return sql("(", self.col(name), " <= ", self.p(moment), ")")

    def typed(self, name, value, cast=True):
        """A VALUES entry; PostgreSQL infers no column type from a parameter there, so the first row's are
        cast (the other rows take their column's type)."""
        if not cast or self.connection.vendor != "postgresql" or name in ("rule", "username", "ip"):
            return sql(self.p(value)) if name not in ("rule", "username", "ip") else sql(Param(value))
        field = Counter._meta.get_field(name)
        return sql("CAST(", self.p(value), f" AS {field.cast_db_type(self.connection)})")


# --- each rule's ageing and counting, as SQL over the row's latest version -----------------------------

def _by_level(s, level, now):
    cooloffs = tuple(app_settings.LOCKOUT_PAIR_COOLOFFS) or (900,)
    whens = [(sql(level, f" <= {n}"), s.p(now + rules.pair_cooloff(n))) for n in range(1, len(cooloffs))]
    return case(*whens, default=s.p(now + rules.pair_cooloff(len(cooloffs)))) if whens else sql(
        s.p(now + rules.pair_cooloff(1)))


def _by_count(s, count, delay_of, after, now, default):
    """The delayed_until of the ``count``-th failure from ``delay_of(n)`` (``default`` below ``after``): the
    doubling steps by value, then the ceiling."""
    exact, n = [], after
    while True:
        delay = delay_of(n)
        if delay == delay_of(n + 1) or n - after > 33:
            break
        exact += [f" WHEN {n} THEN ", s.p(now + delay)]
        n += 1
    ceiling = case((sql(count, f" >= {n}"), s.p(now + delay_of(n))), default=default)
    return sql("CASE ", count, *exact, " ELSE ", ceiling, " END") if exact else ceiling


def pair_update(s, now):
    forgotten = s.at_or_before("last_failure_at", now - timedelta(seconds=app_settings.LOCKOUT_PAIR_FORGET_AFTER))
    lock_ran_out = s.at_or_before("locked_until", now)
    count = sql("(", case((lock_ran_out, "0"), (forgotten, "0"), default=s.col("failures")), " + 1)")
    level = case((forgotten, "0"), default=s.col("level"))
    reached = sql(count, f" >= {rules.pair_limit()}")
    new_level = case((reached, sql(level, " + 1")), default=level)
    return {"failures": count, "level": new_level, "last_failure_at": sql(s.p(now)),
            "locked_until": case((reached, _by_level(s, sql(level, " + 1"), now)), default="NULL")}


def window_update(s, now, limit, window, lock_seconds):
    restart = sql("(", s.at_or_before("locked_until", now), " OR ", s.col("window_started_at"), " IS NULL OR ",
                  s.at_or_before("window_started_at", now - timedelta(seconds=window)), ")")
    count = sql("(", case((restart, "0"), default=s.col("failures")), " + 1)")
    return {"failures": count, "window_started_at": case((restart, s.p(now)), default=s.col("window_started_at")),
            "last_failure_at": sql(s.p(now)),
            "locked_until": case((sql(count, f" >= {limit}"), s.p(now + timedelta(seconds=lock_seconds))),
                                 default="NULL")}


def account_update(s, now):
    forgotten = s.at_or_before("last_failure_at", now - timedelta(seconds=app_settings.LOCKOUT_ACCOUNT_FORGET_AFTER))
    count = sql("(", case((forgotten, "0"), default=s.col("failures")), " + 1)")
    kept_delay = case((forgotten, "NULL"), default=s.col("delayed_until"))
    delay = _by_count(s, count, rules.account_delay, app_settings.LOCKOUT_ACCOUNT_DELAY_AFTER, now, kept_delay)
    return {"failures": count, "last_failure_at": sql(s.p(now)), "delayed_until": delay,
            "locked_until": case((sql(count, f" >= {app_settings.LOCKOUT_ACCOUNT_LOCK_AFTER}"),
                                  s.p(rules.UNTIL_UNLOCKED)), default="NULL")}


def otp_account_update(s, now):
    locked = s.after("locked_until", now)
    forgotten = sql("(", s.at_or_before("last_failure_at", now - timedelta(
        seconds=app_settings.LOCKOUT_OTP_ACCOUNT_WINDOW)), " AND NOT ", locked, ")")
    count = sql("(", case((forgotten, "0"), default=s.col("failures")), " + 1)")
    kept_delay = case((forgotten, "NULL"), default=s.col("delayed_until"))
    delay = _by_count(s, count, rules.otp_account_delay, app_settings.LOCKOUT_OTP_ACCOUNT_DELAY_AFTER, now,
                      kept_delay)
    reached = sql("(", count, f" >= {app_settings.LOCKOUT_OTP_ACCOUNT_LOCK_AFTER} AND NOT ", locked, ")")
    return {"failures": count, "last_failure_at": sql(s.p(now)), "delayed_until": delay,
            "locked_until": case((reached, s.p(rules.UNTIL_UNLOCKED)), default=s.col("locked_until"))}


def updates(s, rule, now):
    if rule == rules.PAIR:
        return pair_update(s, now)
    if rule == rules.IP:
        return window_update(s, now, app_settings.LOCKOUT_IP_LIMIT, app_settings.LOCKOUT_IP_WINDOW,
                             app_settings.LOCKOUT_IP_COOLOFF)
    if rule == rules.OTP:
        window = app_settings.LOCKOUT_OTP_WINDOW
        return window_update(s, now, app_settings.LOCKOUT_OTP_LIMIT, window, window)
    if rule == rules.ACCOUNT:
        return account_update(s, now)
    return otp_account_update(s, now)


def refuses(s, rule, now, exempt, table=None):
    """The row refuses this attempt: a lock; for the account rules also their delay, unless ``exempt``
    ("delay": a known browser passes the account's delay; "all": it passes the code account's lock too)."""
    locked = s.after("locked_until", now, table)
    if rule not in (rules.ACCOUNT, rules.OTP_ACCOUNT) or exempt == "all":
        return sql("FALSE") if rule == rules.OTP_ACCOUNT and exempt == "all" else locked
    if exempt == "delay":
        return locked
    return sql("(", locked, " OR ", s.after("delayed_until", now, table), ")")


# --- the statement ----------------------------------------------------------------------------------------

_kept = {}


def reservation_statement(connection, keys, new_rows, now, exempt=""):
    """The upsert that ages and counts the rows of ``keys`` (``new_rows``: the values a missing row starts
    with), unless one of them refuses. Returns (sql, params)."""
    kept_as = (connection.vendor, tuple(key[0] for key in keys), exempt, rules.arithmetic())
    kept = _kept.get(kept_as)
    if kept is None:
        if len(_kept) > 64:
            _kept.clear()
        kept = _kept[kept_as] = _named(*_reservation_text(connection, kept_as[1], exempt))
    text, template = kept
    return text, _bind(connection, template, now, keys, new_rows)


def _named(text, template):
    """The text with one named parameter per distinct item of ``template`` (a moment used ten times is bound
    once: psycopg keeps the parsing of statements of at most 50 parameters) and {name: item}."""
    names, pieces = {}, text.split("%s")
    named = [pieces[0]]
    for item, piece in zip(template, pieces[1:], strict=True):
        name = names.setdefault((type(item), item), _short_name(len(names)))
        named += [f"%({name})s", piece]
    return "".join(named), {name: item for (_type, item), name in names.items()}


def _short_name(index):
    return string.ascii_letters[index] if index < len(string.ascii_letters) else f"p{index}"


def _reservation_text(connection, rule_set, exempt):
    """(sql, parameter template) of :func:`reservation_statement` for the keys of ``rule_set``."""
    s, now = Statement(connection, None, alias="c"), Moment()
    qn = connection.ops.quote_name
    names = ("rule", "username", "ip", *COLUMNS)
    values = [sql("(", *_commas([s.typed(name, Given(entry, index), cast=not entry)
                                 for index, name in enumerate(names)]), ")")
              for entry in range(len(rule_set))]
    refusing = [sql("(g.rule = ", Param(rule), " AND g.username = ", Param(Given(entry, 1)), " AND g.ip = ",
                    Param(Given(entry, 2)), " AND ", refuses(s, rule, now, exempt, table="g"), ")")
                for entry, rule in enumerate(rule_set)]
    per_rule = {rule: updates(s, rule, now) for rule in rule_set}
    sets = []
    for column in COLUMNS:
        whens = [(sql(s.col("rule"), " = ", Param(rule)), per_rule[rule][column])
                 for rule in per_rule if column in per_rule[rule]]
        if whens:
            sets.append(sql(qn(column), " = ", case(*whens, default=s.col(column))))
    not_refusing = case(*[(sql(s.col("rule"), " = ", Param(rule)), refuses(s, rule, now, exempt))
                          for rule in per_rule], default="FALSE")
    return sql(
        f"INSERT INTO {s.table} AS c ({', '.join(qn(n) for n in names)}) SELECT * FROM (VALUES ",
        *_commas(values), f") AS v WHERE NOT EXISTS (SELECT 1 FROM {s.table} AS g WHERE ",
        *_joined(refusing, " OR "), ") ON CONFLICT (rule, username, ip) DO UPDATE SET ", *_commas(sets),
        " WHERE NOT (", not_refusing, f") RETURNING {', '.join(qn(n) for n in RETURNED)}",
    )


def _bind(connection, template, now, keys, new_rows):
    """The parameters of a kept statement: its :class:`Moment` and :class:`Given` items valued for this run."""
    given = [(*key, *(row[column] for column in COLUMNS)) for key, row in zip(keys, new_rows, strict=True)]
    adapt, params = connection.ops.adapt_datetimefield_value, {}
    for name, item in template.items():
        if isinstance(item, Moment):
            item = adapt(now + item.offset)
        elif isinstance(item, Given):
            item = given[item.entry][item.index]
            item = adapt(item) if hasattr(item, "tzinfo") else item
        params[name] = item
    return params


def settle_statement(connection, undo, cleared_keys):
    """The UPDATE of :func:`.store_db.settle` (any database: each column's CASE reads only that column and
    the key, so MySQL's left-to-right assignments agree). Returns (sql, named params)."""
    s = Statement(connection, None, alias="")
    cleared = sql("(", *_joined([sql("(", s.col("rule"), " = ", Param(r), " AND ", s.col("username"), " = ",
                                     Param(u), " AND ", s.col("ip"), " = ", Param(i), ")")
                                 for r, u, i in cleared_keys] or ["FALSE"], " OR "), ")")
    given = sql(s.col("id"), " IN (", *_commas([Param(pk) for pk in undo] or ["NULL"]), ")")

    def column(name, start_over, *whens):
        return sql(connection.ops.quote_name(name), " = ", case((cleared, start_over), *whens, default=s.col(name)))

    def undone(name, key):
        return [(sql(s.col("id"), " = ", Param(pk), " AND ", s.col(name), " = ", s.p(what[key])), "NULL")
                for pk, what in undo.items() if what[key]]

    sets = [
        sql(connection.ops.quote_name("failures"), " = ", case(
            (cleared, "0"), (sql(s.col("failures"), " > 0"), sql(s.col("failures"), " - 1")), default="0")),
        column("level", "0", *[(sql(s.col("id"), " = ", Param(pk), " AND ", s.col("level"), " > 0"),
                                sql(s.col("level"), " - 1")) for pk, what in undo.items() if what["level"]]),
        column("locked_until", "NULL", *undone("locked_until", "lock")),
        column("delayed_until", "NULL", *undone("delayed_until", "delay")),
        column("last_failure_at", "NULL"),
        column("window_started_at", "NULL"),
    ]
    return _named(*sql(f"UPDATE {s.table} SET ", *_commas(sets), " WHERE ", given, " OR ", cleared))


def _joined(items, separator):
    out = []
    for index, item in enumerate(items):
        if index:
            out.append(separator)
        out.append(item)
    return out


def _commas(items):
    return _joined(items, ", ")


def returned_rows(cursor_rows):
    """{rule: {"id", "failures", "locked_until", "delayed_until", "level"}} of a RETURNING result."""
    rows = {}
    for values in cursor_rows:
        row = dict(zip(RETURNED, values, strict=True))
        row["locked_until"], row["delayed_until"] = as_datetime(row["locked_until"]), as_datetime(row["delayed_until"])
        rows[row["rule"]] = row
    return rows


def as_datetime(value):
    """A returned datetime as Django's models have it (SQLite hands back text)."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment is not None and settings.USE_TZ and moment.tzinfo is None else moment
