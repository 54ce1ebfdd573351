"""Two gunicorn servers of the example shop, one PostgreSQL database and one Redis, 8 parallel clients
attacking both: no attempt past any limit across both servers, victims from clean addresses still log
in, no 5xx, and "End all sessions" on one server ends the sessions held on either.

PostgreSQL only (``DATABASE_URL=postgres://…``: CI's PostgreSQL leg); Redis at ``LOCKOUT_TEST_REDIS``.
The same run prints its figures as ``benchmarks/two_servers.py``.
"""

import pytest
from django.db import connection, connections

from benchmarks import two_servers

from ..lockout.conftest import REDIS_URL

PORTS = (8140, 8141)


def database_url():
    conf = connection.settings_dict
    auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf["PASSWORD"] else "")
    return f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_two_servers_hold_every_limit_together():
    url = database_url()
    figures = two_servers.run(PORTS, url, REDIS_URL, attempts=40)
    connections.close_all()
    print(figures)
    assert figures["server_errors"] == 0, figures
    assert figures["past_limit"] == 0, figures
    assert all(1 <= figures["checks"][kind] for kind in figures["limits"]), figures  # every rule was reached
    assert figures["refused_429"] > 0, figures
    assert all(figures["victims"].values()), figures
    assert all(figures["sessions"].values()), figures
