"""A named lock held until the transaction ends, for allocations no row can be locked for: the
next value of a sequence that lives in the data itself (a group's code, QD-<year>-NNN), where
two transactions would otherwise both read "none taken yet" and insert the same value.

On PostgreSQL a transaction-scoped advisory lock on the name's hash; SQLite runs one writing
transaction at a time (IMMEDIATE transactions, settings), so there it needs nothing."""

from django.db import connection, transaction


def hold_named_lock(name: str) -> None:
    """Wait for, then hold until commit or rollback, the lock called `name`."""
    assert transaction.get_connection().in_atomic_block, "a named lock lives in a transaction"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
