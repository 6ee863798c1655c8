"""Alembic migrations; `smsbox.database.upgrade` runs them."""
