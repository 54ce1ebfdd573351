import pytest

from secure_shopadmin.alerts.checks import check_alert_settings, check_security_contacts


def ids(settings, **values):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, **values}
    return [problem.id for problem in [*check_alert_settings(), *check_security_contacts()]]


def test_example_settings_pass(settings):
    assert ids(settings) == []


@pytest.mark.parametrize("values", [{"IPV4_PREFIX_LENGTH": 33}, {"IPV6_PREFIX_LENGTH": "64"},
                                    {"IPV4_PREFIX_LENGTH": True}])
def test_prefix_lengths(settings, values):
    assert ids(settings, **values) == ["secure_shopadmin.E050"]


def test_retention_shorter_than_the_window(settings):
    assert ids(settings, LOGIN_RECORD_RETENTION_DAYS=30, FAMILIAR_WINDOW_DAYS=90) == ["secure_shopadmin.W051"]


def test_staff_alerts_without_contacts(settings):
    assert ids(settings, SECURITY_CONTACTS=[]) == ["secure_shopadmin.W052"]
    assert ids(settings, SECURITY_CONTACTS=[], ALERT_STAFF_TO_SECURITY_CONTACTS=False) == []
