"""``docket worker``: deliver the webhook outbox until stopped (SIGTERM or SIGINT finish the current push)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from docket.webhooks.delivery import Round, policy_from_settings, run_worker


class Command(BaseCommand):
    help = "Push due webhooks (orders to platforms), retrying with backoff; --once for a single round."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between rounds when idle")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        previous: dict[signal.Signals, Any] = {}

        def ask_to_stop(signum: int, frame: Any) -> None:
            stop.set()

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, ask_to_stop)
        verbosity = int(options.get("verbosity", 1))

        def report(result: Round) -> None:
            if result.claimed and verbosity >= 1:
                self.stdout.write(
                    f"claimed {result.claimed}: delivered {result.delivered}, retry {result.retry}, dead {result.dead}"
                )

        try:
            run_worker(
                clock=timezone.now,
                policy=policy_from_settings(),
                stop=stop,
                interval=options["interval"],
                once=options["once"],
                on_round=report,
            )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if stop.is_set() and verbosity >= 1:
            self.stdout.write("stopped")
