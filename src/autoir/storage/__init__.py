"""Storage adapter: SQLAlchemy 2 Core tables, repositories and Alembic migrations.

Implements ``autoir.ports``; imports ``domain`` and ``ports``; never ``services`` or edges.
SQLite (WAL, foreign keys on) is the embedded default; PostgreSQL is supported.
"""
