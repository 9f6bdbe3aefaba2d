from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficersConfig(AppConfig):
    name = "docket.officers"
    label = "officers"
    verbose_name = _("Officers")

    def ready(self) -> None:
        from docket.officers import signals  # noqa: F401
