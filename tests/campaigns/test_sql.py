"""update_columns(): several fields of many rows in one statement per chunk; a row missing from one
field's values keeps that field; compare-and-set leaves rows changed meanwhile alone."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from secure_shopadmin.campaigns import runner, services, sql
from secure_shopadmin.campaigns.models import CampaignTarget

from .conftest import seed_members, upload


@pytest.mark.parametrize("rows_per_statement", [1000, 3])
def test_several_fields_in_one_statement_and_missing_values_kept(campaign, monkeypatch, rows_per_statement):
    monkeypatch.setattr(sql, "ROWS_PER_STATEMENT", rows_per_statement)
    members = seed_members(8)
    targets = CampaignTarget.objects.bulk_create(
        [CampaignTarget(campaign=campaign, user=m, username=m.username, wrap_state="before") for m in members])
    ids = [t.pk for t in targets]
    now = timezone.now()
    written = sql.update_columns(CampaignTarget, {
        "wrap_state": {pk: f"s{i}" for i, pk in enumerate(ids[:6])},
        "needs_enrolment": {pk: True for pk in ids[4:7]},
    }, same={"required_at": now})
    assert written == sorted(ids[:7])
    rows = {t.pk: t for t in CampaignTarget.objects.all()}
    assert [rows[pk].wrap_state for pk in ids] == ["s0", "s1", "s2", "s3", "s4", "s5", "before", "before"]
    assert [rows[pk].needs_enrolment for pk in ids] == [False] * 4 + [True] * 3 + [False]
    assert [rows[pk].required_at == now for pk in ids] == [True] * 7 + [False]


def test_compare_and_set_skips_rows_changed_meanwhile(db):
    user_model = get_user_model()
    first, second = seed_members(2)
    user_model.objects.filter(pk=second.pk).update(password="changed by a login")
    written = sql.update_by_pk(user_model, "password", {first.pk: "new1", second.pk: "new2"},
                               where_equal={first.pk: first.password, second.pk: second.password})
    assert written == [first.pk]
    assert list(user_model.objects.order_by("pk").values_list("password", flat=True)) == ["new1", "changed by a login"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_a_run_lets_the_planner_see_the_targets_as_they_are(campaign, superuser, monkeypatch):
    """A hundred thousand targets written within minutes, before autovacuum looks: the run refreshes the
    statistics at its start and after containment (else each batch of mails walked every target row)."""
    upload(campaign, [member.username for member in seed_members(40)], actor=superuser)
    services.apply(campaign, actor=superuser)

    def estimated_rows():
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                           [CampaignTarget._meta.db_table])
            return cursor.fetchone()[0]

    assert estimated_rows() != 40
    refreshed = []
    monkeypatch.setattr(runner, "refresh_statistics", lambda model: refreshed.append(sql.refresh_statistics(model)))
    runner.run(campaign, send=False)
    assert len(refreshed) == 2 and estimated_rows() == 40
