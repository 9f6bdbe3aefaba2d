from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "docket.workdays"
    label = "workdays"
    verbose_name = _("Working days and statutory clocks")

    def ready(self) -> None:
        from docket.workdays import checks  # noqa: F401 - registers the calendar check
