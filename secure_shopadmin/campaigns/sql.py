"""One ``UPDATE … SET f = CASE pk WHEN … END`` for many rows (Django's ``bulk_update`` resolves an
expression per value, which costs more than the query itself at a thousand rows)."""

from django.db import connections, router

CHUNK = 200


def update_by_pk(model, field_name, values, *, where_equal=None):
    """Set ``field_name`` of each pk in ``values`` ({pk: value}); returns the pks written.

    ``where_equal`` ({pk: expected}) makes it a compare-and-set on the same field: a row whose
    value is no longer the expected one is left alone (and not returned).
    """
    db = router.db_for_write(model)
    connection = connections[db]
    quote = connection.ops.quote_name
    field = model._meta.get_field(field_name)
    pk_column = quote(model._meta.pk.column)
    column = quote(field.column)
    written = []
    items = list(values.items())
    for start in range(0, len(items), CHUNK):
        chunk = items[start:start + CHUNK]
        params = []
        cases = []
        for pk, value in chunk:
            cases.append("WHEN %s THEN %s")
            params += [pk, field.get_db_prep_save(value, connection)]
        if where_equal is None:
            where = f"{pk_column} IN ({', '.join(['%s'] * len(chunk))})"
            params += [pk for pk, _ in chunk]
        else:
            where = " OR ".join([f"({pk_column} = %s AND {column} = %s)"] * len(chunk))
            for pk, _ in chunk:
                params += [pk, field.get_db_prep_save(where_equal[pk], connection)]
        sql = (f"UPDATE {quote(model._meta.db_table)} SET {column} = CASE {pk_column} {' '.join(cases)} "
               f"ELSE {column} END WHERE {where}")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        if where_equal is None:
            written += [pk for pk, _ in chunk]
        else:
            mine = dict(chunk)
            rows = model._base_manager.using(db).filter(pk__in=list(mine)).values_list("pk", field_name)
            written += [pk for pk, value in rows if value == mine[pk]]
    return written
