"""Alembic environment: migrations run on the engine handed over by storage.db.

On SQLite the migrations run in one transaction the environment begins itself (the driver
would commit each CREATE on its own, and a failed migration would leave a half-built table
behind that stops the next attempt), with foreign keys off: a table rebuilt in batch mode is
dropped and renamed, and with foreign keys on, dropping it would run the `ON DELETE` actions
of the tables that refer to it (every item and alert would lose its story). References the
migrations broke are looked for before the transaction commits: any rolls it all back."""

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    engine = config.attributes["engine"]
    if engine.dialect.name != "sqlite":
        # every migration's file read before the replicas' turn opens the transaction: while
        # Alembic reads them (about 25 ms) the transaction would wait idle, which a server's
        # idle_in_transaction_session_timeout shorter than that ends
        context.script.revision_map.heads  # noqa: B018  (loads and caches the revisions)
        with engine.begin() as connection:
            if "turn" in config.attributes:  # storage.db: the replicas' turn, held until this commits
                config.attributes["turn"](connection)
            _migrate(connection)
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # not inside a transaction: it would be ignored
        connection.commit()
        driver = connection.connection.driver_connection
        level = driver.isolation_level
        driver.isolation_level = None  # the driver begins nothing: the BEGIN below holds every statement
        try:
            before = _broken(connection)
            connection.exec_driver_sql("BEGIN")
            try:
                _migrate(connection)
                broken = _broken(connection) - before
                if broken:  # storage.db.open_database words it for the operator
                    table, _, parent, _ = min(broken, key=str)
                    raise SQLAlchemyError(f"a migration left {len(broken)} row(s) referring to missing rows "
                                          f"(first: {table} → {parent}); it was rolled back")
            except BaseException as exc:
                if driver.in_transaction:
                    connection.exec_driver_sql("ROLLBACK")
                elif isinstance(exc, SQLAlchemyError):
                    raise _first_failure(exc) from None
                raise
            connection.exec_driver_sql("COMMIT")
        finally:
            connection.commit()  # the connection's own bookkeeping: nothing is pending
            driver.isolation_level = level
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _first_failure(exc: SQLAlchemyError) -> SQLAlchemyError:
    """The statement that failed first. SQLite rolls the transaction back by itself on a full
    disk or an I/O error, so the clean-up after it fails too (Alembic's drop of its half-built
    table: `no such table: _alembic_tmp_items`) and would hide the reason from the operator."""
    first, context = exc, exc.__context__  # raised while handling an error, it has that error as context
    while context is not None:
        if isinstance(context, SQLAlchemyError):
            first = context
        context = context.__context__
    return first


def _broken(connection: Connection) -> set[tuple[object, ...]]:
    return {tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()}


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
