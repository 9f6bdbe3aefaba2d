import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from docket.audit.checkpoint import (
    CheckpointError,
    audit_verify_against,
    checkpoint_read,
    checkpoint_take,
    key_create,
    key_file,
    key_id,
    key_load_or_create,
    public_key_load,
)
from docket.audit.queries import ChainBreak, audit_chain_verify


class Command(BaseCommand):
    help = (
        "Audit trail tools: 'verify' checks the hash chain end to end (and against a signed checkpoint); "
        "'checkpoint' writes a signed checkpoint to keep elsewhere; 'keygen' creates the signing key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Verify the hash chain; exit non-zero at the first bad entry.")
        verify.add_argument("--checkpoint", type=Path, help="also check the trail against this signed checkpoint")
        verify.add_argument(
            "--public-key", type=Path, help="the checkpoint's public key (default: that of the key in settings)"
        )
        checkpoint = sub.add_parser("checkpoint", help="Write a signed checkpoint of the trail's current tip.")
        checkpoint.add_argument("--output", type=Path, required=True, help="the checkpoint file to write")
        sub.add_parser("keygen", help="Create the signing key (DOCKET_AUDIT_KEY_FILE); refused if one exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "checkpoint":
                self._checkpoint(options["output"])
            elif options["action"] == "keygen":
                private = key_create(key_file())
                self.stdout.write(
                    _("signing key %(id)s written to %(path)s (public key: %(path)s.pub)")
                    % {"id": key_id(private.public_key()), "path": key_file()}
                )
            elif options.get("checkpoint") is not None:
                self._verify_checkpoint(options["checkpoint"], options.get("public_key"))
            else:
                checked, broken = audit_chain_verify()
                if broken is not None:
                    raise CommandError(self._describe(broken, checked))
                self.stdout.write(_("audit chain intact: %(count)s entries") % {"count": checked})
        except CheckpointError as exc:
            raise CommandError(str(exc)) from exc

    def _checkpoint(self, output: Path) -> None:
        private, created = key_load_or_create(key_file())
        if created:
            self.stderr.write(_("created the signing key %(path)s (mode 0600)") % {"path": key_file()})
        cp, text = checkpoint_take(private=private, now=timezone.now())
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, output)
        self.stdout.write(
            _("checkpoint of %(count)s entries up to #%(seq)s (hash %(hash)s) written to %(path)s")
            % {"count": cp.entries, "seq": cp.head_seq, "hash": cp.head_hash[:16], "path": output}
        )

    def _verify_checkpoint(self, path: Path, public_key: Path | None) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("cannot read the checkpoint %(path)s: %(error)s") % {"path": path, "error": exc}
            ) from exc
        cp = checkpoint_read(text, public=public_key_load(public_key))
        checked, broken, mismatches = audit_verify_against(cp)
        problems = ([self._describe(broken, checked)] if broken is not None else []) + mismatches
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(
            _("audit chain intact: %(count)s entries; it matches the checkpoint of %(at)s at #%(seq)s")
            % {"count": checked, "at": cp.label(), "seq": cp.head_seq}
        )

    @staticmethod
    def _describe(broken: ChainBreak, checked: int) -> str:
        where = _("entry #%(seq)s") % {"seq": broken.seq}
        if broken.entry_id:
            where += _(" (id %(id)s)") % {"id": broken.entry_id}
        return _("audit chain broken at %(where)s: %(reason)s (%(count)s entries intact before it)") % {
            "where": where,
            "reason": broken.reason,
            "count": checked,
        }
