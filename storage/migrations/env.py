"""Alembic environment: migrations run on the engine handed over by storage.db.

On SQLite, foreign keys are off while the migrations run: a table rebuilt in batch mode is
dropped and renamed, and with foreign keys on, dropping it would run the `ON DELETE` actions
of the tables that refer to it (every item and alert would lose its story). The references
are checked before foreign keys are turned on again."""

from alembic import context
from sqlalchemy import Connection

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    engine = config.attributes["engine"]
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            _migrate(connection)
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # not inside a transaction: it would be ignored
        connection.commit()
        try:
            with connection.begin():
                _migrate(connection)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left {len(broken)} broken reference(s), first {broken[0]}")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
