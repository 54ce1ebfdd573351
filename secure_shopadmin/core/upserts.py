"""One-statement upserts (``INSERT … ON CONFLICT DO UPDATE``, MySQL's ``ON DUPLICATE KEY UPDATE``) for the
rows a login writes, where ``update_or_create`` would take a locking read, savepoints and an insert."""

from django.db import connections, router


def upsert(obj, unique_fields, update_fields):
    """Insert ``obj``, or update ``update_fields`` of the row its ``unique_fields`` name; one statement
    (inside a transaction; alone, the database's own atomic statement)."""
    model = type(obj)
    features = connections[router.db_for_write(model)].features
    target = list(unique_fields) if features.supports_update_conflicts_with_target else None
    model._default_manager.bulk_create([obj], update_conflicts=True, unique_fields=target,
                                       update_fields=list(update_fields))
