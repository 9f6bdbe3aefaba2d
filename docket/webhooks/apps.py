from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "docket.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # An order to a platform writes its push in the order's own transaction, through the hook webhooks gives
        # measures (measures never import webhooks; see measures.outbox).
        from docket.measures import outbox
        from docket.webhooks.outbox import orders_pushed

        outbox.register(orders_pushed)
