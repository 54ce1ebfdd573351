from ..lockout.conftest import frozen, hasher_calls, store  # noqa: F401
