import os

import pytest

AUTH_MAGIC = "EC-CUBE auth magic 6Yq9zR2kW8pL"
COOKIE_KEY = "PrestaShop cookie key Qm4vT7xN1cB5"


@pytest.fixture
def peppers(settings):
    """The old platforms' site secrets, as a shop moving from EC-CUBE or PrestaShop sets them."""
    settings.SECURE_SHOPADMIN = {
        **getattr(settings, "SECURE_SHOPADMIN", {}),
        "LEGACY_PEPPERS": {"eccube": AUTH_MAGIC, "prestashop": COOKIE_KEY},
    }
    return {"eccube": AUTH_MAGIC.encode(), "prestashop": COOKIE_KEY.encode()}


@pytest.fixture(scope="session")
def external_databases(tmp_path_factory):
    from .external import ExternalDatabaseFactory

    factory = ExternalDatabaseFactory(os.environ.get("DATABASE_URL", ""), tmp_path_factory.mktemp("external"))
    yield factory
    factory.close()


@pytest.fixture
def external_db(external_databases):
    """A migrated database, empty of users, that manage.py subprocesses see too."""
    return external_databases.fresh()
