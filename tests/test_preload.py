"""What the pipeline reads of a user in one query (``core.preload``) says what the stages' own queries say."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secure_shopadmin import pipeline  # noqa: F401  (the stages declare their facts on import)
from secure_shopadmin.core import languages, preload
from secure_shopadmin.resets import services as resets
from secure_shopadmin.resets import stage as resets_stage
from secure_shopadmin.twofactor import stage as twofactor_stage

from .conftest import enrol_device

pytestmark = pytest.mark.django_db


def facts(user):
    loaded = preload.user_with_facts(user.pk)
    return {name.removeprefix("_ssa_fact_"): value for name, value in loaded.__dict__[preload.ATTR].items()}


def test_the_facts_follow_the_rows(member):
    assert facts(member) == {"has_passkey": False, "has_device": False, "reset_pending": False, "mail_language": None}
    enrol_device(member)
    resets.require_reset([member.pk], notify=False)
    languages.remember(member, "ja")
    assert facts(member) == {"has_passkey": False, "has_device": True, "reset_pending": True, "mail_language": "ja"}


def test_a_user_with_facts_is_the_user_in_one_query(member):
    with CaptureQueriesContext(connection) as queries:
        loaded = preload.user_with_facts(member.pk)
        again = preload.user_with_facts(member.pk)
    assert len(queries) == 2
    for user in (loaded, again):
        assert (user.pk, user.username, user.password, user.date_joined) == (
            member.pk, member.username, member.password, member.date_joined)
    assert preload.user_with_facts(member.pk + 1000) is None


def test_the_stages_read_the_facts_and_their_own_query_without_them(member):
    loaded = preload.user_with_facts(member.pk)
    with CaptureQueriesContext(connection) as queries:
        assert not twofactor_stage.has_acceptable_device(loaded)
        assert resets_stage.pending_step(None, loaded, None) is None
    assert len(queries) == 0
    enrol_device(member)
    assert not twofactor_stage.has_acceptable_device(loaded)  # as loaded: the facts of this request
    preload.forget(loaded, "has_device")
    assert twofactor_stage.has_acceptable_device(loaded)  # forgotten: the stage's own query
    assert twofactor_stage.has_acceptable_device(member)  # a user loaded elsewhere: the stage's own query


def test_load_reads_once(member):
    with CaptureQueriesContext(connection) as queries:
        preload.load(member)
        preload.load(member)
    assert len(queries) == 1
