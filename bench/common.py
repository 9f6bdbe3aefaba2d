"""What every benchmark does first: a fresh database, Django set up, migrations applied.

PostgreSQL when DATABASE_URL names one (the database is dropped and created afresh: never point it at one you
keep), else SQLite in a temporary folder.
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def fresh_database() -> str:
    """Prepare the database and Django; return the engine's name."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        engine = "PostgreSQL"
    else:
        os.environ["DOCKET_VAR_DIR"] = tempfile.mkdtemp(prefix="docket-bench-")
        engine = "SQLite"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docket.settings")
    os.environ.setdefault("DOCKET_DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return engine
