"""`docket demo --scale N`: N cases spread over the whole office tree, with their clues, parties, investigators,
evidence rows, measures, aggregate cells and audit entries, written in bulk (COPY on PostgreSQL) for load tests.

The services take a case through its steps one at a time (about 0.15 s each); a load test needs a million
cases in minutes. So the rows are built in memory, in blocks, as the services would have left them: every
state of the procedure with its dates in order and its next due date stored, measures counted into the cells by
the reports' own code (``cells_from_duckdb`` and ``cells_merge``, the same pass the measures import makes), and
one audit entry per step whose hash chain continues the trail (``entry_hash``), so `docket audit verify` passes.

The cases are dated from 2024 on: the published figures of 2022 and 2023 stay as the demo gives them. Evidence
rows carry the hash of a short text, but no file is stored. The load runs in one transaction and is refused in
a database that already holds one.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import queue
import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connection, models, transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from docket.audit.models import AuditEntry, AuditHead
from docket.audit.models import Outcome as AuditOutcome
from docket.audit.services import GENESIS, audit_record, entry_hash
from docket.cases.due import DECISION_RUNS, PAYMENT
from docket.cases.models import Assignment, Case, ClockSuspension, Outcome, State, SuspensionReason
from docket.clues.models import Clue, ClueStatus, Source
from docket.core.bulk import bulk_insert, lock_tables, reserve_ids
from docket.core.columnar import duck, register
from docket.core.dates import local_date
from docket.core.errors import CalendarMissing, GateRefused
from docket.core.vocabulary import Kind, MeasureType
from docket.evidence.models import EvidenceItem
from docket.measures.models import Measure, MeasureTarget
from docket.officers.models import Officer, OfficerRole, Role
from docket.offices.models import Level, Office
from docket.offices.services import offices_load_cn
from docket.reports.aggregates import analyze, cells_from_duckdb, cells_merge
from docket.reports.models import Cell
from docket.subjects.models import Subject
from docket.taxonomy.services import taxonomy_load_builtin
from docket.workdays.calendar import Calendar
from docket.workdays.clocks import default_profile
from docket.workdays.models import DayCount

MARKER = "demo.scale"  # the object type of the audit entry that records a scale load
BLOCK = 20000  # cases built and written at a time
FIRST_DAY = dt.date(2024, 1, 1)  # after the demo's published years
# Share of the cases each level of office handles, per office.
LEVEL_WEIGHT: dict[str, float] = {Level.NATIONAL: 20.0, Level.PROVINCE: 40.0, Level.CITY: 6.0, Level.COUNTY: 1.0}
# Where a case recently filed stands (weights); older cases have mostly ended.
RECENT = {
    State.FILED: 5,
    State.INVESTIGATING: 30,
    "suspended": 3,
    State.PROPOSED: 8,
    State.NOTIFIED: 6,
    State.HEARING: 2,
    State.HEARD: 2,
    State.DECIDED: 4,
    State.SERVED: 4,
    State.EXECUTING: 10,
    State.CLOSED: 8,
    State.ARCHIVED: 12,
    State.DISMISSED: 4,
    State.TRANSFERRED: 1,
}
OLD = {State.ARCHIVED: 84, State.CLOSED: 5, State.DISMISSED: 5, State.TRANSFERRED: 1, State.EXECUTING: 5}
AFTER_DECISION = {State.DECIDED, State.SERVED, State.EXECUTING, State.CLOSED, State.ARCHIVED}
DRAFTED = {State.PROPOSED, State.NOTIFIED, State.HEARING, State.HEARD} | AFTER_DECISION
ENDED = {State.CLOSED, State.ARCHIVED, State.DISMISSED, State.TRANSFERRED}
FINES = ["50000.00", "100000.00", "200000.00", "300000.00", "500000.00"]
DAY = dt.timedelta(days=1)


class Rows:
    """Rows of one table as the ORM would write them: every column, defaults filled in, values overridden."""

    def __init__(self, model: type[models.Model], *, with_id: bool, now: Any) -> None:
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.model = model
        self.table = model._meta.db_table
        self.columns = tuple(str(f.column) for f in fields)
        self.position = {f.attname: i for i, f in enumerate(fields)}
        self.required: set[str] = set()
        template: list[Any] = []
        for f in fields:
            if f.primary_key:
                value = None
            elif isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                value = now
            elif f.has_default():
                value = f.get_default()
                if isinstance(f, models.JSONField):
                    value = json.dumps(value)
            elif f.null:
                value = None
            else:
                value = f.get_default()  # "" for text; None where a value must be given
                if value is None:
                    self.required.add(f.attname)
            template.append(value)
        self.template = template
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, **values: Any) -> None:
        if self.required:
            missing = self.required - set(values)
            if missing:
                raise ValueError(f"{self.table}: no value for {', '.join(sorted(missing))}")
            self.required = set()
        row = list(self.template)
        position = self.position
        for name, value in values.items():
            row[position[name]] = value
        self.rows.append(tuple(row))

    def take(self) -> tuple[str, tuple[str, ...], list[tuple[Any, ...]]]:
        """The rows built since the last call, for the writer."""
        rows, self.rows = self.rows, []
        self.written += len(rows)
        return self.table, self.columns, rows

    def flush(self) -> None:
        bulk_insert(*self.take())


class Writer:
    """Writes blocks of rows while the next block is built: on PostgreSQL a thread streams them with COPY over the
    same connection (the same transaction; the builder does not touch the database meanwhile), elsewhere inline.
    """

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None
        if connection.vendor == "postgresql":
            self.queue: queue.Queue[list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]] | None] = queue.Queue(1)
            self.raw = connection.connection
            self.thread = threading.Thread(target=self._run, name="scale-writer", daemon=True)
            self.thread.start()

    def put(self, tables: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]) -> None:
        if self.failure is not None:
            raise self.failure
        if self.thread is None:
            for table in tables:
                bulk_insert(*table)
            return
        self.queue.put(tables)

    def close(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        if self.failure is not None:
            raise self.failure

    def _run(self) -> None:
        quote = connection.ops.quote_name
        while (tables := self.queue.get()) is not None:
            if self.failure is not None:
                continue  # drain: the builder stops at its next put
            try:
                with self.raw.cursor() as cursor:
                    for table, columns, rows in tables:
                        if not rows:
                            continue
                        names = ", ".join(quote(c) for c in columns)
                        with cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
            except BaseException as exc:  # noqa: BLE001 - handed to the builder's thread
                self.failure = exc


def _uscc(n: int) -> str:
    body = f"9144{n % 10000:04d}{n:09d}"
    body = body[:8] + f"{n:09d}"
    return body + uscc.calc_check_digit(body)


class Chain:
    """The audit trail continued in memory: each entry hashed on the previous one, as ``audit_record`` does."""

    def __init__(self, now: dt.datetime, at_db: Any) -> None:
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            if AuditEntry.objects.exists():
                raise RuntimeError("audit chain head is missing: run `docket audit verify`")
            head = AuditHead.objects.create(pk=1, seq=0, hash=GENESIS)
        self.seq, self.hash = head.seq, head.hash
        self.now, self.at_db = now, at_db
        self.rows = Rows(AuditEntry, with_id=False, now=at_db)

    def add(self, actor: Officer, action: str, object_type: str, object_id: int, detail: dict[str, Any]) -> None:
        self.seq += 1
        office_code = actor.office.code if actor.office is not None else ""
        prev = self.hash
        self.hash = entry_hash(
            seq=self.seq,
            at=self.now,
            actor_id=actor.pk,
            actor_name=actor.username,
            office_code=office_code,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            outcome=AuditOutcome.OK,
            detail=detail,
            prev_hash=prev,
        )
        self.rows.add(
            seq=self.seq,
            at=self.at_db,
            actor_id=actor.pk,
            actor_name=actor.username,
            office_code=office_code,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            outcome=AuditOutcome.OK,
            detail=json.dumps(detail, ensure_ascii=False),
            prev_hash=prev,
            hash=self.hash,
        )

    def close(self) -> None:
        self.rows.flush()
        AuditHead.objects.filter(pk=1).update(seq=self.seq, hash=self.hash)


class Clocks:
    """Statutory due dates by the holiday table, read once for the whole span. A date in a year without holiday
    data is not guessed: it is None, as the services store it."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.calendar = Calendar(first, last)
        self.cache: dict[tuple[dt.date, int, bool], dt.date | None] = {}

    def due(self, start: dt.date, days: int, *, working: bool) -> dt.date | None:
        key = (start, days, working)
        if key not in self.cache:
            try:
                if working:
                    self.cache[key] = self.calendar.add_working_days(start, days)
                else:
                    self.cache[key] = self.calendar.add_calendar_days(start, days)
            except CalendarMissing:
                self.cache[key] = None
        return self.cache[key]


def _foreign_keys_off() -> bool:
    """On PostgreSQL, as a superuser: no foreign key checked row by row for the rest of the transaction.

    Each row would queue a trigger that looks its parents up one by one at commit, half the time of the whole
    load; ``_foreign_keys_check`` checks the same keys afterwards, each in one anti-join. Other roles keep the
    row-by-row checks (slower, just as sound). Constraints other than foreign keys are not triggers: they apply.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not row or not row[0]:
            return False
        cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def _foreign_keys_check(tables: list[type[models.Model]]) -> None:
    """Every foreign key of the tables filled points at a row (one anti-join per key); the checks are back on."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
        for model in tables:
            for f in model._meta.concrete_fields:
                related = f.related_model
                if not getattr(f, "db_constraint", False) or related is None or isinstance(related, str):
                    continue
                child, parent = quote(model._meta.db_table), quote(related._meta.db_table)
                column, key = quote(str(f.column)), quote(str(related._meta.pk.column))
                cursor.execute(
                    f"SELECT c.{column} FROM {child} c LEFT JOIN {parent} p ON p.{key} = c.{column} "  # noqa: S608
                    f"WHERE c.{column} IS NOT NULL AND p.{key} IS NULL LIMIT 1"
                )
                missing = cursor.fetchone()
                if missing is not None:
                    raise RuntimeError(f"{model._meta.db_table}.{f.column} = {missing[0]} points at no row")


def scale_loaded() -> AuditEntry | None:
    return AuditEntry.objects.filter(object_type=MARKER).order_by("seq").first()


def scale_generate(*, cases: int, seed: int, now: dt.datetime, progress: Any = None) -> dict[str, Any]:
    """Build ``cases`` cases with everything they carry; returns the rows written per table."""
    earlier = scale_loaded()
    if earlier is not None:
        raise GateRefused(
            _("This database already holds a scale load (audit entry #%(seq)s of %(at)s); use a fresh database.")
            % {"seq": earlier.seq, "at": earlier.at.date()}
        )
    offices_load_cn()
    taxonomy_load_builtin()
    with transaction.atomic():
        builder = _Builder(seed=seed, now=now, progress=progress)
        rows = builder.run(cases)
        audit_record(
            actor=None, action="demo.scale", object_type=MARKER, detail={"cases": cases, "seed": seed}, now=now
        )
    _describe(progress, "VACUUM ANALYZE")
    _vacuum_analyze(
        Office,
        Officer,
        OfficerRole,
        Subject,
        Clue,
        Clue.subjects.through,
        Case,
        Case.parties.through,
        Assignment,
        ClockSuspension,
        EvidenceItem,
        EvidenceItem.collectors.through,
        Measure,
        MeasureTarget,
        AuditEntry,
        Cell,
    )
    return {"rows": rows}


def _vacuum_analyze(*tables: Any) -> None:
    """Fresh planner statistics for the tables filled (PostgreSQL), and their visibility maps set so that the lists'
    counts are answered from the indexes alone; inside a caller's transaction (tests), ANALYZE only."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        # VACUUM needs the tables' owner (an application role is answered with a warning); the statistics do not:
        # ``analyze`` refreshes them as the owner whoever connects.
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
    analyze(*tables)


def _describe(progress: Any, label: str) -> None:
    if progress is not None:
        progress.set_description(label)


class _Builder:
    def __init__(self, *, seed: int, now: dt.datetime, progress: Any) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.progress = progress
        self.today = local_date(now)
        self.first = max(FIRST_DAY, self.today - dt.timedelta(days=3 * 365))
        if self.first >= self.today:
            self.first = self.today - dt.timedelta(days=365)
        self.span = (self.today - self.first).days
        self.at_db = Case._meta.get_field("created_at").get_db_prep_value(now, connection)
        self.profile = default_profile()
        self.clocks = Clocks(self.first - 30 * DAY, self.today + 60 * DAY)
        self.rules = {rule.key: rule for rule in self.profile.clocks.all()}

    def clock(self, key: str, start: dt.date) -> dt.date | None:
        """When the profile's clock ``key`` started on ``start`` runs out (None past the calendar's data)."""
        rule = self.rules[key]
        return self.clocks.due(start, rule.days, working=rule.count == DayCount.WORKING)

    # ---- offices and their officers -----------------------------------------------------------------

    def staff(self) -> None:
        offices = [
            o
            for o in Office.objects.filter(active=True).order_by("path")
            if not o.path.startswith(("/000000/710000/", "/000000/810000/", "/000000/820000/"))
        ]
        prefix = f"scale{self.rng.randrange(10**6):06d}"
        certificate = Officer.objects.filter(certificate_number__startswith="SC").count()
        officers = []
        for office in offices:
            for suffix, role in (("head", Role.OFFICE_HEAD), ("a", Role.CASE_OFFICER), ("b", Role.CASE_OFFICER)):
                certificate += 1
                officer = Officer(
                    username=f"{prefix}-{office.code}-{suffix}",
                    display_name=f"{office.name}{suffix}",
                    office=office,
                    is_staff=True,
                    certificate_number=f"SC{certificate:08d}",
                    certificate_valid_from=self.first - 365 * DAY,
                    certificate_valid_until=self.today + 5 * 365 * DAY,
                )
                officer.set_unusable_password()
                officers.append((officer, role))
        Officer.objects.bulk_create([o for o, _r in officers], batch_size=2000)
        by_name = {
            o.username: o for o in Officer.objects.filter(username__startswith=f"{prefix}-").select_related("office")
        }
        OfficerRole.objects.bulk_create(
            [OfficerRole(officer=by_name[o.username], role=r) for o, r in officers], batch_size=2000
        )
        self.offices = offices
        self.teams = {o.pk: tuple(by_name[f"{prefix}-{o.code}-{s}"] for s in ("head", "a", "b")) for o in offices}
        self.cum: list[float] = []
        total = 0.0
        for o in offices:
            total += LEVEL_WEIGHT[o.level]
            self.cum.append(total)
        counters: Counter[str] = Counter()
        for model in (Clue, Case):
            for ref in model.objects.values_list("ref", flat=True).iterator():
                prefix_, n = ref.rsplit("-", 1)
                counters[prefix_] = max(counters[prefix_], int(n))
        self.counters = counters

    def ref(self, kind: str, office: Office, day: dt.date) -> str:
        prefix = f"{kind}-{office.code}-{day.year}"
        self.counters[prefix] += 1
        return f"{prefix}-{self.counters[prefix]:05d}"

    # ---- the load ------------------------------------------------------------------------------------

    def run(self, cases: int) -> dict[str, int]:
        _describe(self.progress, "offices and officers")
        lock_tables([Subject, Clue, Case, EvidenceItem, Measure, MeasureTarget, AuditHead])  # appends take the head
        self.staff()
        deferred = _foreign_keys_off()
        at = self.at_db
        self.chain = Chain(self.now, at)
        self.t = {
            "subject": Rows(Subject, with_id=True, now=at),
            "clue": Rows(Clue, with_id=True, now=at),
            "clue_subject": Rows(Clue.subjects.through, with_id=False, now=at),
            "case": Rows(Case, with_id=True, now=at),
            "party": Rows(Case.parties.through, with_id=False, now=at),
            "assignment": Rows(Assignment, with_id=False, now=at),
            "suspension": Rows(ClockSuspension, with_id=False, now=at),
            "evidence": Rows(EvidenceItem, with_id=True, now=at),
            "collector": Rows(EvidenceItem.collectors.through, with_id=False, now=at),
            "measure": Rows(Measure, with_id=True, now=at),
            "target": Rows(MeasureTarget, with_id=False, now=at),
        }
        # What the cells are computed from, kept for one pass at the end.
        self.cell_measures: list[tuple[Any, ...]] = []
        self.cell_targets: list[tuple[Any, ...]] = []
        _describe(self.progress, "cases")
        self.reserve(cases)
        self.writer = Writer()
        # Millions of rows held a moment each: the cyclic collector would walk them again and again for nothing.
        gc.disable()
        try:
            for start in range(0, cases, BLOCK):
                self.block(min(BLOCK, cases - start))
        finally:
            gc.enable()
            self.writer.close()
        if deferred:
            _describe(self.progress, "foreign keys")
            _foreign_keys_check([rows.model for rows in self.t.values()])
        _describe(self.progress, "aggregate cells")
        self.cells()
        self.chain.close()
        written = {rows.table: rows.written for rows in self.t.values()}
        written[AuditEntry._meta.db_table] = self.chain.rows.written
        return written

    def reserve(self, cases: int) -> None:
        """Take every id the load will use at once, under the table locks: one organisation for three cases, a
        website per case and per open clue, one clue and evidence item per case, at most two measures a case."""
        blocks = [min(BLOCK, cases - start) for start in range(0, cases, BLOCK)]
        subjects = sum(n // 3 + 1 + n + max(1, n // 20) for n in blocks)
        self.ids = {
            "subject": reserve_ids(Subject, subjects),
            "clue": reserve_ids(Clue, sum(n + max(1, n // 20) for n in blocks)),
            "case": reserve_ids(Case, cases),
            "evidence": reserve_ids(EvidenceItem, cases),
            "measure": reserve_ids(Measure, 2 * cases),
        }

    def block(self, n: int) -> None:
        rng, t, ids = self.rng, self.t, self.ids
        offices = rng.choices(self.offices, cum_weights=self.cum, k=n)
        open_clues = max(1, n // 20)
        subject_id, clue_id, case_id = ids["subject"], ids["clue"], ids["case"]
        evidence_id, measure_id = ids["evidence"], ids["measure"]
        plans = [self.plan(office) for office in offices]
        org = None
        for i, (office, plan) in enumerate(zip(offices, plans, strict=True)):
            if i % 3 == 0:
                org = subject_id
                t["subject"].add(
                    id=org,
                    kind=Kind.ORGANISATION,
                    name=f"规模测试网络科技有限公司{org}",
                    identifier=_uscc(10_000_000 + org),
                )
                subject_id += 1
            site = subject_id
            subject_id += 1
            t["subject"].add(
                id=site,
                kind=Kind.WEBSITE,
                name=f"测试网站{site}",
                identifier=f"w{site}.scale.example.cn",
                operator_id=org,
            )
            assert org is not None
            self.case(office, plan, clue_id, case_id, evidence_id, measure_id, org, site)
            clue_id += 1
            case_id += 1
            evidence_id += 1
            measure_id += len(plan["measures"])
        for _n in range(open_clues):
            office = rng.choices(self.offices, cum_weights=self.cum)[0]
            site = subject_id
            subject_id += 1
            t["subject"].add(id=site, kind=Kind.WEBSITE, name=f"测试网站{site}", identifier=f"w{site}.scale.example.cn")
            self.open_clue(office, clue_id, site)
            clue_id += 1
        self.ids = {
            "subject": subject_id,
            "clue": clue_id,
            "case": case_id,
            "evidence": evidence_id,
            "measure": measure_id,
        }
        self.writer.put([rows.take() for rows in (*t.values(), self.chain.rows)])
        if self.progress is not None:
            self.progress.update(n)

    def plan(self, office: Office) -> dict[str, Any]:
        """Where one case stands and the dates of its steps, in order and never after today."""
        rng = self.rng
        filed = self.first + dt.timedelta(days=rng.randrange(self.span + 1))
        age = (self.today - filed).days
        table = OLD if age > 150 else RECENT
        state = rng.choices(list(table), weights=list(table.values()))[0]
        if state in AFTER_DECISION and age < 25:
            state = State.INVESTIGATING
        suspended = state == "suspended"
        if suspended:
            state = State.INVESTIGATING
        plan: dict[str, Any] = {"state": state, "filed": filed, "suspended": suspended, "measures": []}
        if state in AFTER_DECISION:
            decided = filed + dt.timedelta(days=rng.randint(20, min(85, age)))
            plan["decided"] = decided
            plan["outcome"] = rng.choices(list(Outcome.values), weights=[80, 10, 7, 3])[0]
            if plan["outcome"] == Outcome.PENALTY:
                plan["measures"].append((MeasureType.FINE, rng.choice(FINES)))
                if rng.random() < 0.5:
                    plan["measures"].append((MeasureType.WARNING, None))
            if state != State.DECIDED:
                plan["served"] = min(self.today, decided + dt.timedelta(days=rng.randint(0, 5)))
                if plan["outcome"] == Outcome.PENALTY and any(m == MeasureType.FINE for m, _a in plan["measures"]):
                    plan["state"] = state = State.EXECUTING if state == State.SERVED else state
                elif state == State.EXECUTING:
                    plan["state"] = state = State.SERVED
            if state in (State.CLOSED, State.ARCHIVED):
                plan["closed"] = min(self.today, plan["served"] + dt.timedelta(days=rng.randint(16, 60)))
            if state == State.ARCHIVED:
                plan["archived"] = min(self.today, plan["closed"] + dt.timedelta(days=rng.randint(1, 15)))
        elif state in (State.DISMISSED, State.TRANSFERRED):
            plan["ended"] = filed + dt.timedelta(days=rng.randint(1, max(1, min(60, age))))
        return plan

    def due(self, plan: dict[str, Any]) -> tuple[dt.date | None, str]:
        """The next statutory date, as ``cases.due.case_due`` stores it: the decision period while it runs (none
        while suspended), service of a decision made in the party's absence, the payment of an executing case's
        fine (no payment is generated, so it stays open), else none."""
        state = plan["state"]
        if state in DECISION_RUNS:
            if plan["suspended"]:
                return None, "suspended"
            return self.clock("decision", plan["filed"]), "decision"
        if state == State.DECIDED:
            return self.clock("service", plan["decided"]), "service"
        if state == State.EXECUTING and "served" in plan and any(m == MeasureType.FINE for m, _a in plan["measures"]):
            return self.clock("fine_payment", plan["served"]), PAYMENT
        return None, ""

    def case(
        self,
        office: Office,
        plan: dict[str, Any],
        clue_id: int,
        case_id: int,
        evidence_id: int,
        measure_id: int,
        org: int,
        site: int,
    ) -> None:
        rng, t, chain = self.rng, self.t, self.chain
        head, a, b = self.teams[office.pk]
        state, filed = plan["state"], plan["filed"]
        received = filed - dt.timedelta(days=rng.randint(1, 10))
        clue_ref = self.ref("XS", office, received)
        t["clue"].add(
            id=clue_id,
            office_id=office.pk,
            ref=clue_ref,
            source=rng.choice([Source.INSPECTION, Source.PUBLIC_REPORT, Source.MEDIA, Source.TRANSFER]),
            received_on=received,
            summary=f"测试网站{site}涉嫌传播违法信息",
            profile_id=self.profile.pk,
            registered_by_id=a.pk,
            status=ClueStatus.FILED,
            outcome_on=filed,
            created_at=self.at_db,
        )
        t["clue_subject"].add(clue_id=clue_id, subject_id=org)
        t["clue_subject"].add(clue_id=clue_id, subject_id=site)
        chain.add(a, "clue.register", "clues.clue", clue_id, {"source": "inspection"})
        case_ref = self.ref("AJ", office, filed)
        due_on, due_clock = self.due(plan)
        fields: dict[str, Any] = {
            "id": case_id,
            "office_id": office.pk,
            "ref": case_ref,
            "title": f"测试网站{site}传播违法信息案",
            "clue_id": clue_id,
            "profile_id": self.profile.pk,
            "state": state,
            "filed_on": filed,
            "filed_by_id": head.pk,
            "due_on": due_on,
            "due_clock": due_clock,
            "created_at": self.at_db,
            "updated_at": self.at_db,
        }
        if state in DRAFTED:
            outcome = plan.get("outcome", Outcome.PENALTY)
            penalties = [
                {"measure": m, "subject": site, **({"amount": amount} if amount else {})}
                for m, amount in plan["measures"]
            ]
            fields.update(
                proposed_outcome=outcome,
                proposed_penalties=json.dumps(penalties),
                proposed_facts="违法事实清楚，证据确凿。",
                proposed_legal_basis="《网络安全法》第四十七条",
                proposed_discretion="按一般情形裁量。",
                review_current=True,
            )
        if "decided" in plan:
            fields.update(
                decision_outcome=plan["outcome"],
                decision_number=f"{office.code}-decision-{plan['decided'].year}-{case_id}",
                decided_on=plan["decided"],
                decided_by_id=head.pk,
                decision_legal_basis="《网络安全法》第四十七条",
                decision_discretion="一般情形",
            )
        if "served" in plan:
            fields.update(
                served_on=plan["served"], service_method="直接送达", party_present=True, service_proof="送达回证"
            )
        if "closed" in plan:
            fields["closed_on"] = plan["closed"]
        if "archived" in plan:
            fields["archived_on"] = plan["archived"]
        if "ended" in plan:
            fields.update(ended_on=plan["ended"], end_reason="当事人主体已注销，终止调查")
        t["case"].add(**fields)
        t["party"].add(case_id=case_id, subject_id=org)
        t["party"].add(case_id=case_id, subject_id=site)
        chain.add(head, "case.file", "cases.case", case_id, {"state": State.FILED, "version": 1, "clue": clue_ref})
        t["assignment"].add(case_id=case_id, officer_id=a.pk, assigned_on=filed, active=True)
        t["assignment"].add(case_id=case_id, officer_id=b.pk, assigned_on=filed, active=True)
        if state != State.FILED:
            collected = min(self.today, filed + 2 * DAY)
            digest = hashlib.sha256(f"{case_ref} 远程勘验记录".encode()).hexdigest()
            t["evidence"].add(
                id=evidence_id,
                office_id=office.pk,
                case_id=case_id,
                name="勘验笔录.txt",
                content_type="text/plain",
                size=len(f"{case_ref} 远程勘验记录".encode()),
                sha256=digest,
                description="涉案页面截图及电子数据",
                method="远程勘验、电子数据提取",
                collected_on=collected,
                recorded_by_id=a.pk,
                created_at=self.at_db,
            )
            t["collector"].add(evidenceitem_id=evidence_id, officer_id=a.pk)
            t["collector"].add(evidenceitem_id=evidence_id, officer_id=b.pk)
            chain.add(a, "evidence.add", "evidence.evidenceitem", evidence_id, {"sha256": digest})
        if plan["suspended"]:
            t["suspension"].add(
                case_id=case_id,
                reason=SuspensionReason.EXPERT_TESTING,
                note="电子数据委托鉴定",
                starts_on=max(filed, self.today - dt.timedelta(days=rng.randint(1, 30))),
            )
            chain.add(head, "case.clock_suspend", "cases.case", case_id, {"reason": SuspensionReason.EXPERT_TESTING})
        if "decided" in plan:
            decided = plan["decided"]
            for mtype, amount in plan["measures"]:
                payment_due = (
                    self.clock("fine_payment", plan["served"])
                    if mtype == MeasureType.FINE and "served" in plan
                    else None
                )
                t["measure"].add(
                    id=measure_id,
                    office_id=office.pk,
                    type=mtype,
                    taken_on=decided,
                    case_id=case_id,
                    amount=amount,
                    due_on=payment_due,
                    legal_basis="《网络安全法》第四十七条",
                    created_by_id=head.pk,
                    created_at=self.at_db,
                )
                t["target"].add(measure_id=measure_id, subject_id=site, status="ordered")
                self.cell_measures.append((measure_id, office.pk, decided, mtype, None, None, None))
                self.cell_targets.append((measure_id, site, Kind.WEBSITE))
                measure_id += 1
            chain.add(
                head,
                "case.decide",
                "cases.case",
                case_id,
                {"outcome": plan["outcome"], "on": decided.isoformat(), "measures": len(plan["measures"])},
            )
        if "served" in plan:
            chain.add(a, "case.serve", "cases.case", case_id, {"on": plan["served"].isoformat()})
        if "ended" in plan:
            chain.add(head, f"case.{'dismiss' if state == State.DISMISSED else 'transfer'}", "cases.case", case_id, {})

    def open_clue(self, office: Office, clue_id: int, site: int) -> None:
        _head, a, _b = self.teams[office.pk]
        received = self.today - dt.timedelta(days=self.rng.randint(0, 30))
        self.t["clue"].add(
            id=clue_id,
            office_id=office.pk,
            ref=self.ref("XS", office, received),
            source=Source.PUBLIC_REPORT,
            received_on=received,
            summary=f"测试网站{site}涉嫌传播违法信息，待核查",
            profile_id=self.profile.pk,
            registered_by_id=a.pk,
            status=ClueStatus.OPEN,
            due_on=self.clock("clue_check", received),
            created_at=self.at_db,
        )
        self.t["clue_subject"].add(clue_id=clue_id, subject_id=site)
        self.chain.add(a, "clue.register", "clues.clue", clue_id, {"source": "public_report"})

    def cells(self) -> None:
        """The cells of the new measures, by the reports' own bulk pass, merged into those already kept."""
        if not self.cell_measures:
            return
        types = {
            "id": "BIGINT",
            "office_id": "BIGINT",
            "taken_on": "DATE",
            "type": "VARCHAR",
            "quantity": "BIGINT",
            "addressee_id": "BIGINT",
            "addressee_kind": "VARCHAR",
        }
        add: Callable[..., None] = register
        with duck() as con:
            add(con, "sm", types, self.cell_measures)
            add(con, "st", {"measure_id": "BIGINT", "subject_id": "BIGINT", "kind": "VARCHAR"}, self.cell_targets)
            add(con, "sg", {"measure_id": "BIGINT", "campaign_id": "BIGINT"}, [])
            cells = cells_from_duckdb(
                con, measures="SELECT * FROM sm", targets="SELECT * FROM st", campaigns="SELECT * FROM sg"
            )
        cells_merge(cells)
        self.cell_measures, self.cell_targets = [], []
