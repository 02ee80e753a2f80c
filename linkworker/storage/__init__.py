"""Storage: SQLCipher/PostgreSQL caseloads, keys, migrations, files.

What every open and close of a caseload does (``linkworker.safeguards``) registers when
``storage.database`` loads, not here: the key file (``storage.keys``) must load without
SQLAlchemy, so the app can start Argon2id before its other modules (``keys.begin_unlock``).
"""
