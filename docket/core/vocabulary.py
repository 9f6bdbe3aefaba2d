"""The machine names every layer speaks: the kinds of regulated subject and the types of measure.

They are the fixed vocabulary of DESIGN §2 and §4 (commands, files, the API and the reports use them), so they
live at the bottom: the taxonomy (a registry) validates provisions against them without reaching up into the
domain apps that give them their rules (``measures.types``) and their records (``subjects``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    WEBSITE = "website", _("Website")
    APP = "app", _("Mobile app")
    MINI_PROGRAM = "mini_program", _("Mini program")
    ACCOUNT = "account", _("Account")
    LIVE_ROOM = "live_room", _("Live room")
    STORE = "store", _("Store")
    GROUP = "group", _("Group")
    RESPONSIBLE_PERSON = "responsible_person", _("Responsible person")


class MeasureType(models.TextChoices):
    INTERVIEW = "interview", _("Regulatory interview")
    WARNING = "warning", _("Warning")
    FINE = "fine", _("Fine")
    CONFISCATION = "confiscation", _("Confiscation of illegal gains")
    RECTIFICATION_ORDER = "rectification_order", _("Order to rectify within a time limit")
    SUSPENSION = "suspension", _("Suspension of functions or updates")
    APP_REMOVAL = "app_removal", _("Removal of an app from stores")
    MINI_PROGRAM_SHUTDOWN = "mini_program_shutdown", _("Shutdown of a mini program")
    LICENCE_CANCELLATION = "licence_cancellation", _("Cancellation of a licence or filing")
    WEBSITE_CLOSURE = "website_closure", _("Closure of a website")
    ACCOUNT_CLOSURE_ORDER = "account_closure_order", _("Order to a platform to close accounts")
    RESPONSIBLE_PERSON = "responsible_person", _("Dealing with responsible persons")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    TRANSFER = "transfer", _("Transfer of a clue or case")
