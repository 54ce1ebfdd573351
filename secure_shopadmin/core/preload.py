"""What the login pipeline reads of a user, read in one query.

Each stage states the facts its ``pending_step`` and its login work read of a user (has a device,
has a pending reset, the remembered mail language...) as a subquery over the user's row
(:func:`declare`). The pipeline reads them all at once: with the user when it loads the user of a
partial login (:func:`annotated`), or in one query for a user ``authenticate()`` loaded
(:func:`load`). A stage then asks :func:`fact`, which falls back to the stage's own query for a
user without them (a user loaded elsewhere), so the facts only ever save queries.

The facts are as fresh as the user object they ride on: it lives for one request, and a stage that
changes one of its facts in the request says so (:func:`forget`).

The query is compiled once per thread and database (:func:`user_with_facts`): building it through the
ORM (three subqueries) costs more than running it.
"""

import threading

from django.contrib.auth import get_user_model
from django.db import connections, router

ATTR = "_secure_shopadmin_facts"
_declared = {}  # name -> zero-argument callable building the subquery (OuterRef("pk") is the user)
_compiled = threading.local()  # .statements: {(database, user model, facts): Statement or None}


def declare(name, subquery):
    """Add a fact: ``subquery()`` returns an expression over ``OuterRef("pk")`` (``Exists``, ``Subquery``)."""
    _declared[f"_ssa_fact_{name}"] = subquery


def annotated(queryset):
    """``queryset`` of users with every declared fact as an annotation."""
    return queryset.annotate(**{name: build() for name, build in _declared.items()}) if _declared else queryset


def keep(user):
    """Move the facts a user was loaded with (:func:`annotated`) to where :func:`fact` finds them."""
    if _declared:
        user.__dict__[ATTR] = {name: user.__dict__.pop(name) for name in _declared if name in user.__dict__}
    return user


def load(user):
    """Read every declared fact of ``user`` in one query, unless it carries them already."""
    if not _declared or user.__dict__.get(ATTR) is not None or getattr(user, "pk", None) is None:
        return
    loaded = user_with_facts(user.pk)
    user.__dict__[ATTR] = loaded.__dict__[ATTR] if loaded is not None else {}


def user_with_facts(pk):
    """The user ``pk`` names, carrying every declared fact, or None: one query."""
    model = get_user_model()
    statements = _compiled.__dict__.setdefault("statements", {})
    key = (router.db_for_read(model), model._meta.label, tuple(_declared))
    if key not in statements:
        statements[key] = Statement.compile(annotated(model._default_manager.filter(pk=pk)), pk)
    if statements[key] is None:  # a user model or manager the statement does not cover: the ORM's way
        user = annotated(model._default_manager.filter(pk=pk)).first()
        return keep(user) if user is not None else None
    return statements[key].user(pk)


class Statement:
    """The user-with-facts query's SQL, compiled once: the user's primary key is its last parameter."""

    @classmethod
    def compile(cls, queryset, pk):
        model, compiler = queryset.model, queryset.query.get_compiler(using=queryset.db)
        text, params = compiler.as_sql()
        fields = [f.attname for f in model._meta.concrete_fields]
        pk_value = model._meta.pk.get_db_prep_value(model._meta.pk.to_python(pk), compiler.connection)
        plain = not model._meta.parents and not queryset.query.select_related
        if not plain or not params or params[-1] != pk_value or len(compiler.select) != len(fields) + len(_declared):
            return None
        return cls(compiler, text, tuple(params[:-1]), fields)

    def __init__(self, compiler, text, params, fields):
        self.compiler, self.text, self.params, self.fields = compiler, text, params, fields
        self.converters = compiler.get_converters([column[0] for column in compiler.select])

    def user(self, pk):
        model, db = get_user_model(), self.compiler.using
        connection = connections[db]  # this context's own (the compiler keeps the one it was built on)
        pk_value = model._meta.pk.get_db_prep_value(model._meta.pk.to_python(pk), connection)
        with connection.cursor() as cursor:
            cursor.execute(self.text, (*self.params, pk_value))
            rows = cursor.fetchmany(1)
        if not rows:
            return None
        row = next(iter(self.compiler.apply_converters(rows, self.converters))) if self.converters else rows[0]
        user = model.from_db(db, self.fields, row[:len(self.fields)])
        user.__dict__[ATTR] = dict(zip(_declared, row[len(self.fields):], strict=True))
        return user


def fact(user, name, compute):
    """The fact ``name`` of ``user`` as loaded, or ``compute()`` (the stage's own query) when not loaded."""
    facts = user.__dict__.get(ATTR) or {}
    key = f"_ssa_fact_{name}"
    return facts[key] if key in facts else compute()


def forget(user, *names):
    """``user``'s facts ``names`` changed in this request: the next :func:`fact` asks the stage's query."""
    facts = user.__dict__.get(ATTR) or {}
    for name in names:
        facts.pop(f"_ssa_fact_{name}", None)
