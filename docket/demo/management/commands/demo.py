"""`docket demo`: a national record of 2022 and 2023 whose reports give the published figures, with the open
work of today; `docket demo --scale N`: N cases with everything they carry, in bulk, for load tests."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm


class Command(BaseCommand):
    help = (
        "Generate the demo record of 2022 and 2023 and today's open work (deterministic for --seed); skipped if "
        "already loaded. With --scale N: N cases in bulk for load tests, refused when a scale load is there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument("--cases", type=int, default=80, help="cases taken through the whole procedure")
        parser.add_argument("--scale", type=int, default=0, help="build this many cases in bulk instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"]:
            self._scale(options["scale"], options["seed"])
            return
        from docket.demo.generate import STEPS, demo_generate

        start = time.perf_counter()
        with tqdm(total=STEPS + options["cases"], desc="demo", unit="step", disable=None, file=self.stderr._out) as bar:
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

    def _scale(self, n: int, seed: int) -> None:
        from docket.core.errors import DocketError
        from docket.demo.scale import scale_generate

        if n < 1:
            raise CommandError("--scale takes a number of cases ≥ 1")
        start = time.perf_counter()
        with tqdm(total=n, desc="scale", unit="case", disable=None, file=self.stderr._out) as bar:
            try:
                result = scale_generate(cases=n, seed=seed, now=timezone.now(), progress=bar)
            except DocketError as exc:
                raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - start
        rows = sum(result["rows"].values())
        for table, count in result["rows"].items():
            self.stdout.write(f"{table}: {count}")
        self.stdout.write(f"{n} cases, {rows} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")
