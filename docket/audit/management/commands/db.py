from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils.translation import gettext as _

from docket.audit.roles import app_role_problems, apply_grants, grant_statements


class Command(BaseCommand):
    help = (
        "Database roles on PostgreSQL. 'docket db roles APP_ROLE', run as the owner role after every "
        "`docket migrate`, grants the application role what Docket needs, keeps it from rewriting the "
        "audit trail, and checks that it cannot (see docs/db-roles.sql)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        roles = sub.add_parser("roles", help="Grant the application role its privileges, then check them.")
        roles.add_argument("app_role", help="the role Docket's DATABASE_URL connects as in production")
        roles.add_argument("--owner", help="the role that owns the tables and runs migrations (default: this one)")
        roles.add_argument("--check", action="store_true", help="only check the application role; change nothing")
        roles.add_argument("--sql", action="store_true", help="print the grants instead of running them")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                _("database roles are PostgreSQL's: DATABASE_URL is %(vendor)s") % {"vendor": connection.vendor}
            )
        app = options["app_role"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            me, database = cursor.fetchone()
            owner = options["owner"] or me
            if app in (me, owner) and not options["check"]:
                raise CommandError(
                    _("run this as the owner role, not as the application role %(role)s") % {"role": app}
                )
            if options["sql"]:
                for statement in grant_statements(app=app, owner=owner, database=database):
                    self.stdout.write(statement.as_string(cursor.connection) + ";")
                return
            if not options["check"]:
                with transaction.atomic():
                    apply_grants(cursor, app=app, owner=owner)
            problems = app_role_problems(cursor, app=app)
        if problems:
            raise CommandError(
                _("the application role %(role)s is not set up safely:") % {"role": app}
                + "".join(f"\n- {p}" for p in problems)
            )
        self.stdout.write(
            _(
                "%(role)s may read and write Docket's tables but not UPDATE, DELETE or TRUNCATE the audit trail "
                "nor disable its trigger"
            )
            % {"role": app}
        )
