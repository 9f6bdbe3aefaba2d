"""Settings for the test suite: Docket's own settings, spoken over plain HTTP and hashed fast."""

import os

from docket.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Threads in the tests (live server, concurrency) close their connections after each use, so the test
# database can be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Several runs of the suite may share one PostgreSQL server: DOCKET_TEST_DB names each run's database.
if os.environ.get("DOCKET_TEST_DB"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DOCKET_TEST_DB"]}  # noqa: F405
