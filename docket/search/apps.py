from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _repair_sqlite_indexes(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from docket.search.indexes import ensure_sqlite

    ensure_sqlite(connections[using])


class SearchConfig(AppConfig):
    name = "docket.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # Sent once per app after each migrate: bound to this app so it runs once.
        post_migrate.connect(_repair_sqlite_indexes, sender=self, dispatch_uid="docket.search.repair")
