from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "docket.reports"
    label = "reports"
    verbose_name = _("Reports and published figures")

    def ready(self) -> None:
        # Measures keep the cells exact with every write, through the keeper reports gives them (measures sit
        # below reports and never import it).
        from docket.measures import cells
        from docket.reports import aggregates

        def add_from_duckdb(con: object, **queries: str) -> None:
            aggregates.cells_merge(aggregates.cells_from_duckdb(con, **queries))  # type: ignore[arg-type]

        cells.register(
            cells.Keeper(
                add=aggregates.cells_add,
                remove=aggregates.cells_remove,
                add_from_duckdb=add_from_duckdb,
                requantify=aggregates.cells_requantify,
            )
        )
