"""`docket demo`: a national record of 2022 and 2023 whose reports give the published figures."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm


class Command(BaseCommand):
    help = "Generate the demo record of 2022 and 2023 (deterministic for --seed). Skipped if already loaded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument("--cases", type=int, default=80, help="cases taken through the whole procedure")

    def handle(self, *args: Any, **options: Any) -> None:
        from docket.demo.generate import demo_generate

        start = time.perf_counter()
        with tqdm(
            total=4 + 13 + options["cases"], desc="demo", unit="step", disable=None, file=self.stderr._out
        ) as bar:
            result = demo_generate(seed=options["seed"], now=timezone.now(), progress=bar, cases=options["cases"])
        if result.get("skipped"):
            self.stdout.write("demo: already loaded")
            return
        wrong = []
        for year, metrics in result.items():
            for key, (got, published) in metrics.items():
                self.stdout.write(f"{year} {key}: {got} (published {published})")
                if published is not None and got != published:
                    wrong.append(f"{year} {key}")
        self.stdout.write(f"demo generated in {time.perf_counter() - start:.1f} s")
        if wrong:
            raise CommandError("figures differ from the published ones: " + ", ".join(wrong))
