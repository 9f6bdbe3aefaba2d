"""Signed checkpoints catch what a database owner can do to the trail, and the plain walk stays precise."""

import io
import json
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from docket import testing as t
from docket.audit.checkpoint import key_id
from docket.audit.models import AuditEntry, AuditHead
from docket.audit.queries import audit_chain_verify
from docket.audit.services import GENESIS, audit_record, hash_of
from docket.audit.tests.tamper import tamper

# Tampering happens on the owner's own connection, which sees only what was committed.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def key_file(settings, tmp_path):
    settings.DOCKET_AUDIT_KEY_FILE = tmp_path / "keys" / "audit_ed25519.key"
    return settings.DOCKET_AUDIT_KEY_FILE


def _fresh_head():
    # A transactional test before this one may have flushed the row `docket migrate` writes.
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})


def _entries(n, start=0):
    return [
        audit_record(actor=None, action="test.step", object_type="x", object_id=i, detail={"i": i}, now=t.NOW)
        for i in range(start, start + n)
    ]


def _checkpoint(tmp_path, name="checkpoint.json"):
    path = tmp_path / name
    out = io.StringIO()
    call_command("audit", "checkpoint", "--output", str(path), stdout=out, stderr=io.StringIO())
    return path, out.getvalue()


def _verify(path=None, *extra):
    args = ["audit", "verify"] + (["--checkpoint", str(path), *extra] if path is not None else [])
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _refused(path=None, *extra):
    with pytest.raises(CommandError) as exc:
        _verify(path, *extra)
    return str(exc.value)


def _recompute_from(seq, change):
    """Method (a): edit entry `seq`, recompute its hash and every hash after it, and the head."""
    entries = list(AuditEntry.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS
    statements = []
    for entry in entries:
        if entry.seq == seq:
            change(entry)
        entry.prev_hash = prev
        entry.hash = prev = hash_of(entry)
        statements.append(
            (
                "UPDATE audit_auditentry SET detail = %s, action = %s, prev_hash = %s, hash = %s WHERE id = %s",
                (json.dumps(entry.detail), entry.action, entry.prev_hash, "tmp-" + str(entry.id), entry.id),
            )
        )
    # Hashes are unique: park them, then set the final ones.
    statements += [("UPDATE audit_auditentry SET hash = %s WHERE id = %s", (e.hash, e.id)) for e in entries]
    statements.append(("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", (entries[-1].seq, prev)))
    tamper(*statements)


@transactional
def test_recomputed_edit_is_caught_only_by_the_checkpoint(key_file, tmp_path):
    _fresh_head()
    _entries(6)
    path, _out = _checkpoint(tmp_path)
    _recompute_from(3, lambda e: e.detail.update(i=99))
    assert AuditEntry.objects.get(seq=3).detail == {"i": 99}
    assert "intact: 6 entries" in _verify()  # the chain alone cannot tell
    message = _refused(path)
    assert "entry #6" in message and "rewritten" in message


@transactional
def test_deleted_tail_with_head_fixed_is_caught(key_file, tmp_path):
    _fresh_head()
    entries = _entries(6)
    path, _out = _checkpoint(tmp_path)
    tamper(
        ("DELETE FROM audit_auditentry WHERE seq > %s", (4,)),
        ("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", (4, entries[3].hash)),
    )
    assert "intact: 4 entries" in _verify()
    message = _refused(path)
    assert "up to #6" in message and "4 entries ending at #4" in message and "deleted" in message


@transactional
@pytest.mark.parametrize("head", ["deleted", "reset"])
def test_wiped_trail_is_caught(key_file, tmp_path, head):
    _fresh_head()
    _entries(5)
    path, _out = _checkpoint(tmp_path)
    head_sql = "DELETE FROM audit_audithead" if head == "deleted" else "UPDATE audit_audithead SET seq = 0, hash = %s"
    tamper("DELETE FROM audit_auditentry", (head_sql, () if head == "deleted" else (GENESIS,)))
    if head == "deleted":
        assert "head row is missing" in _refused()
    else:
        assert "intact: 0 entries" in _verify()
    message = _refused(path)
    assert "5 entries up to #5" in message and "now has 0 entries" in message


@transactional
def test_rewritten_head_and_entries_are_caught(key_file, tmp_path):
    _fresh_head()
    _entries(4)
    path, _out = _checkpoint(tmp_path)
    tamper("DELETE FROM audit_auditentry", ("UPDATE audit_audithead SET seq = 0, hash = %s", (GENESIS,)))
    # A whole new history, longer than the old one, written through the service: a chain consistent in itself.
    _entries(7, start=100)
    assert "intact: 7 entries" in _verify()
    message = _refused(path)
    assert "entry #4" in message and "rewritten" in message


@pytest.mark.django_db
def test_checkpoint_stays_valid_while_the_trail_grows(key_file, tmp_path):
    _fresh_head()
    _entries(3)
    path, out = _checkpoint(tmp_path)
    assert "3 entries up to #3" in out
    _entries(5, start=3)
    assert "intact: 8 entries; it matches the checkpoint" in _verify(path)
    # A second checkpoint supersedes nothing: both stay valid.
    later, _out = _checkpoint(tmp_path, "later.json")
    assert "matches" in _verify(later) and "matches" in _verify(path)


@transactional
def test_growth_does_not_hide_an_edit_after_the_checkpoint(key_file, tmp_path):
    _fresh_head()
    _entries(3)
    path, _out = _checkpoint(tmp_path)
    entries = _entries(3, start=3)
    tamper(("UPDATE audit_auditentry SET detail = %s WHERE id = %s", ('{"i": 0}', entries[1].id)))
    message = _refused(path)
    assert "entry #5" in message and "changed" in message


@pytest.mark.django_db
def test_checkpoint_of_an_empty_trail(key_file, tmp_path):
    _fresh_head()
    path, out = _checkpoint(tmp_path)
    assert "0 entries up to #0" in out
    _entries(2)
    assert "matches" in _verify(path)


@pytest.mark.django_db
def test_edited_checkpoint_is_refused(key_file, tmp_path):
    _fresh_head()
    entries = _entries(5)
    path, _out = _checkpoint(tmp_path)
    data = json.loads(path.read_text())
    # Rewrite the checkpoint to agree with a shortened trail: the signature no longer matches.
    data.update(entries=3, head_seq=3, head_hash=entries[2].hash)
    path.write_text(json.dumps(data))
    assert "signature does not match" in _refused(path)
    data["signature"] = "!!"
    path.write_text(json.dumps(data))
    assert "not a Docket audit checkpoint" in _refused(path)
    path.write_text("{}")
    assert "not a Docket audit checkpoint" in _refused(path)


@pytest.mark.django_db
def test_checkpoint_signed_by_another_key_is_refused(key_file, tmp_path, settings):
    _fresh_head()
    _entries(2)
    path, _out = _checkpoint(tmp_path)
    genuine = key_file.read_bytes()
    # A forger with their own key signs a checkpoint; the verifier holds the genuine key.
    settings.DOCKET_AUDIT_KEY_FILE = tmp_path / "forger" / "key"
    forged, _out = _checkpoint(tmp_path, "forged.json")
    settings.DOCKET_AUDIT_KEY_FILE = key_file
    assert key_file.read_bytes() == genuine
    message = _refused(forged)
    assert "signed by key" in message and "not trusted" in message
    assert "matches" in _verify(path)
    # Off the machine, the verifier names the public key instead.
    pub = tmp_path / "keys" / "audit_ed25519.key.pub"
    assert "matches" in _verify(path, "--public-key", str(pub))
    assert "signed by key" in _refused(path, "--public-key", str(tmp_path / "forger" / "key.pub"))


@pytest.mark.django_db
def test_signing_key_is_private_and_outside_the_database(key_file, tmp_path):
    _fresh_head()
    _entries(1)
    path, _out = _checkpoint(tmp_path)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    assert json.loads(path.read_text())["key_id"] == key_id(key.public_key())
    with pytest.raises(CommandError, match="already exists"):
        call_command("audit", "keygen", stdout=io.StringIO())
    assert key_file.read_bytes() == key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.django_db
def test_keygen_then_no_key_to_verify_with(key_file, tmp_path, settings):
    out = io.StringIO()
    call_command("audit", "keygen", stdout=out)
    assert key_file.exists() and str(key_file) in out.getvalue()
    settings.DOCKET_AUDIT_KEY_FILE = tmp_path / "elsewhere.key"
    path = tmp_path / "cp.json"
    path.write_text("{}")
    assert "no signing key" in _refused(path)


@transactional
def test_broken_chain_gets_no_checkpoint(key_file, tmp_path):
    _fresh_head()
    entries = _entries(3)
    tamper(("UPDATE audit_auditentry SET action = %s WHERE id = %s", ("x", entries[0].id)))
    with pytest.raises(CommandError, match="broken at #1"):
        _checkpoint(tmp_path)
    assert not (tmp_path / "checkpoint.json").exists()


# The plain walk, without a checkpoint.


@pytest.mark.django_db
def test_empty_trail_with_its_head_verifies():
    _fresh_head()
    assert "intact: 0 entries" in _verify()


@transactional
def test_missing_head_is_reported():
    _fresh_head()
    _entries(3)
    tamper("DELETE FROM audit_audithead")
    message = _refused()
    assert "head row is missing" in message and "#3" in message
    tamper("DELETE FROM audit_auditentry")
    assert "head row is missing and the trail is empty" in _refused()


@transactional
def test_changed_head_hash_is_not_reported_as_deleted_entries():
    _fresh_head()
    entries = _entries(3)
    tamper(("UPDATE audit_audithead SET hash = %s WHERE id = 1", ("a" * 64,)))
    message = _refused()
    assert "head's hash aaaaaaaaaaaaaaaa differs" in message and entries[-1].hash[:16] in message
    assert "deleted" not in message
    checked, broken = audit_chain_verify()
    assert checked == 3 and broken is not None and broken.seq == 3


@transactional
def test_head_behind_the_chain_and_deleted_tail_are_told_apart():
    _fresh_head()
    entries = _entries(4)
    tamper(("UPDATE audit_audithead SET seq = 2, hash = %s WHERE id = 1", (entries[1].hash,)))
    assert "head records #2: the head was set back" in _refused()
    tamper(
        ("UPDATE audit_audithead SET seq = 4, hash = %s WHERE id = 1", (entries[3].hash,)),
        "DELETE FROM audit_auditentry WHERE seq = 4",
    )
    assert "ends at #3 but its head records #4: entries were deleted from the end" in _refused()
