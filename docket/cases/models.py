from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.offices.models import ancestor_field
from docket.offices.scoping import ScopedManager


class State(models.TextChoices):
    FILED = "filed", _("Filed")
    INVESTIGATING = "investigating", _("Investigating")
    PROPOSED = "proposed", _("Decision drafted")
    NOTIFIED = "notified", _("Prior notice served")
    HEARING = "hearing", _("Hearing requested")
    HEARD = "heard", _("Hearing held")
    DECIDED = "decided", _("Decided")
    SERVED = "served", _("Served")
    EXECUTING = "executing", _("Executing")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")
    DISMISSED = "dismissed", _("Dismissed / investigation terminated")
    TRANSFERRED = "transferred", _("Transferred")


# States the transition table and the clocks speak of together.
BEFORE_DECISION = frozenset(
    {State.FILED, State.INVESTIGATING, State.PROPOSED, State.NOTIFIED, State.HEARING, State.HEARD}
)
DRAFTED = frozenset({State.PROPOSED, State.NOTIFIED, State.HEARD})
NOT_ARCHIVED = frozenset(set(State) - {State.ARCHIVED})


class Outcome(models.TextChoices):
    PENALTY = "penalty", _("Penalty")
    NO_PENALTY = "no_penalty", _("No penalty (minor, or first violation promptly corrected)")
    NOT_ESTABLISHED = "not_established", _("Violation not established")
    JUDICIAL_TRANSFER = "judicial_transfer", _("Transfer to judicial authorities")


class Flag(models.TextChoices):
    MAJOR_PUBLIC_INTEREST = "major_public_interest", _("Involves major public interests")
    COMPLEX_FACTS = "complex_facts", _("Complex facts")
    NOVEL_LEGAL_QUESTION = "novel_legal_question", _("Novel legal question")
    SERIOUS = "serious", _("Serious violation")


class Case(models.Model):
    office = models.ForeignKey(
        "offices.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="cases"
    )
    # The offices above the case's office at depths 1 and 2 of the tree (the provincial and the city level; the
    # office itself at its own depth), kept by the database (triggers of migration 0010) from the office's path on
    # every insert and change of office, whoever writes the row. The scoping path reads a provincial or city
    # office's jurisdiction as one of them equal to it, so its newest cases are read from an index in order
    # instead of walking the country's newest and looking up each one's office (a city's list: 9,706 rows for 21).
    ancestor_1 = ancestor_field(1)  # indexed by case_ancestor_1_order, which leads with it
    ancestor_2 = ancestor_field(2)  # indexed by case_ancestor_2_order
    ref = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    clue = models.ForeignKey(
        "clues.Clue", verbose_name=_("clue"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    profile = models.ForeignKey(
        "workdays.ProcedureProfile", verbose_name=_("procedure profile"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.FILED)
    # Bumped by every change, so a stale form or a concurrent approval is refused as a conflict.
    version = models.PositiveIntegerField(default=1)
    parties = models.ManyToManyField("subjects.Subject", verbose_name=_("parties"), related_name="cases")
    campaigns = models.ManyToManyField(
        "campaigns.Campaign", verbose_name=_("campaigns"), blank=True, related_name="cases"
    )
    flags = models.JSONField(_("flags"), default=list, blank=True)
    filed_on = models.DateField(_("filed on"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filing approved by"), on_delete=models.PROTECT, related_name="+"
    )
    decision_extended = models.BooleanField(_("decision period extended"), default=False)
    # The draft decision (what legal review, discussion and prior notice look at).
    proposed_outcome = models.CharField(_("proposed outcome"), max_length=20, choices=Outcome.choices, blank=True)
    proposed_penalties = models.JSONField(_("proposed measures"), default=list, blank=True)
    proposed_facts = models.TextField(_("facts found"), blank=True)
    proposed_legal_basis = models.TextField(_("proposed legal basis"), blank=True)
    proposed_discretion = models.TextField(_("discretion applied"), blank=True)
    review_current = models.BooleanField(_("legal review covers the current draft"), default=False)
    discussion_current = models.BooleanField(_("collective discussion covers the current draft"), default=False)
    # The decision.
    decision_outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decision approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_legal_basis = models.TextField(_("legal basis"), blank=True)
    decision_discretion = models.TextField(_("discretion benchmark applied"), blank=True)
    served_on = models.DateField(_("served on"), null=True, blank=True)
    service_method = models.CharField(_("service method"), max_length=40, blank=True)
    party_present = models.BooleanField(_("party present at decision"), default=False)
    service_proof = models.CharField(_("proof of service"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    ended_on = models.DateField(_("dismissed or transferred on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for dismissal or transfer"), blank=True)
    # The next statutory date of the clocks running now (decision period, statement and hearing windows,
    # service), kept by every transition that moves it, so lists sort and filter by urgency with an index.
    # NULL when no clock runs (suspended, decided and served, ended).
    due_on = models.DateField(_("next due date"), null=True, blank=True)
    due_clock = models.CharField(_("clock due next"), max_length=24, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    objects = ScopedManager()
    # The scoping path's shortcut: an office at depth d reads the cases whose ancestor_d is itself.
    jurisdiction_ancestors = ("ancestor_1", "ancestor_2")

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-filed_on", "-id"]
        indexes = [
            models.Index(fields=["office", "state"], name="case_office_state"),
            # A provincial or city office's cases newest first (the API's lists, the workspace's by id), and counted
            # by state (a list's count of one state: 32 → 1.2 ms for a province at 1,000,000 cases; the counts of an
            # office and its subtree otherwise combined the ancestor's and the state's indexes).
            models.Index(fields=["ancestor_1", "-id"], name="case_ancestor_1_order"),
            models.Index(fields=["ancestor_2", "-id"], name="case_ancestor_2_order"),
            models.Index(fields=["ancestor_1", "state"], name="case_ancestor_1_state"),
            models.Index(fields=["ancestor_2", "state"], name="case_ancestor_2_state"),
            # What the lists sort by (the default order, then by urgency) and filter by, so a page of a million
            # cases is read from an index in order instead of sorted.
            models.Index(fields=["-filed_on", "-id"], name="case_filed_order"),
            models.Index(fields=["state", "-filed_on", "-id"], name="case_state_filed_order"),
            models.Index(fields=["due_on", "-id"], name="case_due_order"),
            # A state's cases by nearest due date ("investigating, due first"): walked in order within the state;
            # through case_due_order alone, 37,000 cases of other states were read first at 1,000,000 cases.
            models.Index(fields=["state", "due_on", "-id"], name="case_state_due_order"),
            # An office's own cases by nearest due date (an office head's "deadlines at risk" and approval queues,
            # ``below=false``): the office's few hundred due cases, in order, with their state. Without it the
            # planner combined the office index with case_state_due_order, reading 80,000 open cases of the
            # country to keep a provincial office's 519 (12 ms, twice per dashboard at 1,000,000 cases).
            models.Index(fields=["office", "due_on", "-id"], include=["state"], name="case_office_due"),
            # Only open cases have a due date: the dashboards' "overdue" and "due soon" counts over a million cases
            # are read from this small index alone (office and state included), never from the table.
            models.Index(
                fields=["due_on"],
                include=["office", "state"],
                condition=models.Q(due_on__isnull=False),
                name="case_due_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(name="case_state_valid", condition=models.Q(state__in=State.values)),
            models.CheckConstraint(
                name="case_decided_has_outcome",
                condition=models.Q(decided_on__isnull=True)
                | (~models.Q(decision_outcome="") & ~models.Q(decision_legal_basis="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class Scoped(models.Model):
    """Records that belong to a case are seen through the case's office."""

    jurisdiction_field = "case__office"
    objects = ScopedManager()

    class Meta:
        abstract = True


class Assignment(Scoped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_on = models.DateField(_("assigned on"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("investigator")
        verbose_name_plural = _("investigators")
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="assignment_unique")]
        indexes = [
            # A head's "open cases by officer" over thousands of cases reads the active assignments from the index
            # alone, not one table row each.
            models.Index(
                fields=["case"], include=["officer"], condition=models.Q(active=True), name="assignment_active_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} on {self.case.ref}"


class Recusal(Scoped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recusals")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField(_("requested on"))
    requested_by_party = models.BooleanField(_("requested by the party"), default=True)
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted = models.BooleanField(_("granted"), null=True)

    class Meta:
        verbose_name = _("recusal request")
        verbose_name_plural = _("recusal requests")

    def __str__(self) -> str:
        return f"recusal of {self.officer} ({self.case.ref})"


class CaseViolation(Scoped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="violations")
    category = models.ForeignKey("taxonomy.ViolationCategory", on_delete=models.PROTECT, related_name="+")
    provisions = models.ManyToManyField("taxonomy.Provision", related_name="+")
    facts = models.TextField(_("facts"), blank=True)

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        constraints = [models.UniqueConstraint(fields=["case", "category"], name="case_violation_unique")]

    def __str__(self) -> str:
        return str(self.category)


class Step(models.TextChoices):
    LEGAL_REVIEW = "legal_review", _("Legal review")
    DISCUSSION = "discussion", _("Collective discussion")
    PRIOR_NOTICE = "prior_notice", _("Prior notice")
    STATEMENT = "statement", _("Statement and defence")
    HEARING_REQUEST = "hearing_request", _("Hearing request")
    HEARING = "hearing", _("Hearing")
    EXTENSION = "extension", _("Extension of the decision period")
    SUPERVISION = "supervision", _("Supervision by a higher office")
    INSTRUCTION = "instruction", _("Instruction by a higher office")


class ProcedureRecord(Scoped):
    """A procedural step taken on a case: its date, who took it, what it says (the record's own fields)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="records")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    by_office = models.ForeignKey(
        "offices.Office", verbose_name=_("by office"), on_delete=models.PROTECT, related_name="+"
    )
    approved = models.BooleanField(_("approved"), null=True)
    content = models.JSONField(_("content"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("procedure record")
        verbose_name_plural = _("procedure records")
        ordering = ["case", "on", "id"]
        indexes = [models.Index(fields=["case", "step"], name="record_case_step")]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.on}"


class SuspensionReason(models.TextChoices):
    HEARING = "hearing", _("Hearing")
    EXPERT_TESTING = "expert_testing", _("Expert testing or appraisal")
    PUBLIC_NOTICE = "public_notice", _("Public notice (service by announcement)")
    OTHER = "other", _("Other lawful reason")


class ClockSuspension(Scoped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    reason = models.CharField(_("reason"), max_length=20, choices=SuspensionReason.choices)
    note = models.TextField(_("note"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("clock suspension")
        verbose_name_plural = _("clock suspensions")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(ends_on__isnull=True), name="one_open_suspension_per_case"
            ),
            models.CheckConstraint(
                name="suspension_period_ordered",
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.starts_on}–{self.ends_on or ''}"


class DocumentKind(models.TextChoices):
    FILING = "filing", _("Filing approval form")
    PRIOR_NOTICE = "prior_notice", _("Prior notice of administrative penalty")
    HEARING_NOTICE = "hearing_notice", _("Hearing notice")
    DECISION = "decision", _("Decision")
    SERVICE = "service", _("Proof of service")


class Document(Scoped):
    """An issued document of a case, numbered per office and year."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=60, unique=True)
    issued_on = models.DateField(_("issued on"))
    body = models.JSONField(_("content"), default=dict)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["case", "issued_on", "id"]

    def __str__(self) -> str:
        return self.number
