import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from docket.settings import env_bool, env_int, env_list


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DOCKET_SECRET_KEY="x" * 64 + "-production-secret-key-that-is-long",
        DOCKET_DEBUG="0",
        DOCKET_ALLOWED_HOSTS="docket.example.gov.cn",
        DOCKET_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "docket", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL") is True and env_int("X_INT", 1) == 12 and env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)


def test_default_sqlite_runs_wal_with_full_sync(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DOCKET_VAR_DIR=str(tmp_path), DOCKET_DEBUG="1")
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA synchronous'); print(c.fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-m", "docket", "shell", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split()[-2:] == ["wal", "2"]  # 2 is FULL
    assert (tmp_path / "docket.sqlite3").exists()


def test_dates_of_legal_effect_are_taken_in_the_office_time_zone():
    import datetime as dt

    from docket.core.dates import local_date

    late_evening_utc = dt.datetime(2024, 3, 4, 17, 30, tzinfo=dt.UTC)
    assert local_date(late_evening_utc) == dt.date(2024, 3, 5)  # 01:30 in Shanghai
    assert local_date(late_evening_utc, "Europe/Berlin") == dt.date(2024, 3, 4)
    with pytest.raises(ValueError):
        local_date(dt.datetime(2024, 3, 4, 17, 30))  # noqa: DTZ001 - the naive time is what is refused
