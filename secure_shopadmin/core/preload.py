"""What the login pipeline reads of a user, read in one query.

Each stage states the facts its ``pending_step`` and its login work read of a user (has a device,
has a pending reset, the remembered mail language...) as a subquery over the user's row
(:func:`declare`). The pipeline reads them all at once: with the user when it loads the user of a
partial login (:func:`annotated`), or in one query for a user ``authenticate()`` loaded
(:func:`load`). A stage then asks :func:`fact`, which falls back to the stage's own query for a
user without them (a user loaded elsewhere), so the facts only ever save queries.

The facts are as fresh as the user object they ride on: it lives for one request, and a stage that
changes one of its facts in the request says so (:func:`forget`).
"""

from django.contrib.auth import get_user_model

ATTR = "_secure_shopadmin_facts"
_declared = {}  # name -> zero-argument callable building the subquery (OuterRef("pk") is the user)


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
    rows = annotated(get_user_model()._default_manager.filter(pk=user.pk)).values(*_declared)
    user.__dict__[ATTR] = next(iter(rows), {})


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
