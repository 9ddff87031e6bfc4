"""The storage layer's one exception, in a module of its own so that the command line can
catch it without importing SQLAlchemy and Alembic (commands that need no database start fast)."""


class DatabaseError(Exception):
    """The database cannot be opened or migrated; the message is one line for the operator."""
