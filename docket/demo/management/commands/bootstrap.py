"""`docket bootstrap`: what a fresh installation needs to be used at once. Safe to run again."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from docket.demo.people import EXAMPLE_PASSWORD, example_users_create
from docket.taxonomy.services import taxonomy_load_builtin


class Command(BaseCommand):
    help = "Load the office tree, the built-in violation taxonomy and example users (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-users", action="store_true", help="Skip the example users")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("offices", "load-cn", stdout=self.stdout, stderr=self.stderr)
        result = taxonomy_load_builtin()
        self.stdout.write(f"taxonomy: {result['provisions']} provisions, {result['categories']} categories")
        if options["no_users"]:
            return
        created = example_users_create()
        self.stdout.write(f"example users: {created} created; password for each: {EXAMPLE_PASSWORD}")
