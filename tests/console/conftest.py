import time

import pytest
import time_machine
from django.test import Client

from secure_shopadmin.testing import pipeline_login

from ..conftest import enrol_device

STALE = 301  # seconds: past REAUTH_MAX_AGE (300)


@pytest.fixture
def owner_totp(superuser):
    return enrol_device(superuser)


@pytest.fixture
def owner_client(superuser, owner_totp):
    return pipeline_login(Client(), superuser)


@pytest.fixture
def stale():
    """The clock moved past REAUTH_MAX_AGE since the login (the session's code is stale)."""
    with time_machine.travel(time.time() + STALE, tick=True) as traveller:
        yield traveller


def reauth_blob(response):
    assert response.status_code in (200, 429), response.status_code
    content = response.content.decode()
    assert 'id="reauth-form"' in content, content[:500]
    return response.context["blob"]


@pytest.fixture
def hasher_calls(monkeypatch):
    """Every password hash the process computes, by any configured hasher (verify, or a dummy encode)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    calls = []
    for path in settings.PASSWORD_HASHERS:
        cls = import_string(path)
        for name in ("verify", "encode"):
            original = getattr(cls, name)

            def counted(*args, _original=original, _name=name, **kwargs):
                calls.append(_name)
                return _original(*args, **kwargs)
            monkeypatch.setattr(cls, name, counted)
    return calls
