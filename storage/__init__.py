"""The database: SQLAlchemy models, Alembic migrations and every statement of the pipeline's
stages, grouped by table (docs/ARCHITECTURE.md, "Storage")."""
