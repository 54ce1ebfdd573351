"""``UPDATE … SET f = CASE pk WHEN … END`` for many rows, several fields in one statement (Django's
``bulk_update`` resolves an expression per value, which costs more than the query itself at a
thousand rows; one statement per row group also writes each row once, not once per field)."""

from django.db import connections, router

ROWS_PER_STATEMENT = 1000


def update_columns(model, columns, same=None):
    """Set per-row values ``columns`` ({field: {pk: value}}) and ``same`` ({field: value}, for every
    pk named) in one statement per chunk of rows; a pk missing from one field's dict keeps its value.
    Returns the pks written."""
    db = router.db_for_write(model)
    connection = connections[db]
    quote = connection.ops.quote_name
    pk_column = quote(model._meta.pk.column)
    fields = {name: model._meta.get_field(name) for name in [*columns, *(same or {})]}
    pks = sorted({pk for values in columns.values() for pk in values})
    per_row = 1 + 2 * len(columns)
    chunk_size = min(ROWS_PER_STATEMENT, (connection.features.max_query_params or 65535) // per_row - 1)
    for start in range(0, len(pks), chunk_size):
        chunk = pks[start:start + chunk_size]
        sets, params = [], []
        for name, values in columns.items():
            column = quote(fields[name].column)
            present = [pk for pk in chunk if pk in values]
            if not present:
                continue
            sets.append(f"{column} = CASE {pk_column} {' '.join(['WHEN %s THEN %s'] * len(present))} "
                        f"ELSE {column} END")
            for pk in present:
                params += [pk, fields[name].get_db_prep_save(values[pk], connection)]
        for name, value in (same or {}).items():
            sets.append(f"{quote(fields[name].column)} = %s")
            params.append(fields[name].get_db_prep_save(value, connection))
        params += chunk
        sql = (f"UPDATE {quote(model._meta.db_table)} SET {', '.join(sets)} "
               f"WHERE {pk_column} IN ({', '.join(['%s'] * len(chunk))})")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return pks


def update_by_pk(model, field_name, values, *, where_equal=None):
    """Set ``field_name`` of each pk in ``values`` ({pk: value}); returns the pks written.

    ``where_equal`` ({pk: expected}) makes it a compare-and-set on the same field: a row whose
    value is no longer the expected one is left alone (and not returned).
    """
    if where_equal is None:
        return update_columns(model, {field_name: values})
    db = router.db_for_write(model)
    connection = connections[db]
    quote = connection.ops.quote_name
    field = model._meta.get_field(field_name)
    pk_column = quote(model._meta.pk.column)
    column = quote(field.column)
    chunk_size = min(200, (connection.features.max_query_params or 65535) // 4 - 1)  # an OR per row
    written = []
    items = list(values.items())
    for start in range(0, len(items), chunk_size):
        chunk = items[start:start + chunk_size]
        params = []
        for pk, value in chunk:
            params += [pk, field.get_db_prep_save(value, connection)]
        for pk, _ in chunk:
            params += [pk, field.get_db_prep_save(where_equal[pk], connection)]
        where = " OR ".join([f"({pk_column} = %s AND {column} = %s)"] * len(chunk))
        sql = (f"UPDATE {quote(model._meta.db_table)} SET {column} = CASE {pk_column} "
               f"{' '.join(['WHEN %s THEN %s'] * len(chunk))} ELSE {column} END WHERE {where}")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        mine = dict(chunk)
        rows = model._base_manager.using(db).filter(pk__in=list(mine)).values_list("pk", field_name)
        written += [pk for pk, value in rows if value == mine[pk]]
    return written


def refresh_statistics(model):
    """Let PostgreSQL's planner see the table as it is now (``ANALYZE``, a sample, well under a second at a
    hundred thousand rows). A campaign's targets are inserted and rewritten by the hundred thousand within
    minutes, before autovacuum looks: with the statistics of the empty table the planner walked every
    target row for each batch of mails (0.3 s each, five minutes of a full-size run)."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
