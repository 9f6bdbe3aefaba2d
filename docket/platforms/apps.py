from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "docket.platforms"
    label = "platforms"
    verbose_name = _("Platform channel")
