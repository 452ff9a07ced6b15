"""The keyed chain: what someone who can write the table but does not hold the audit key cannot
hide (re-hashing, removing the newest entries), checkpoints kept off the server, a wrong key."""

import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from osseo.audit.chain import GENESIS, unkeyed_entry_hash
from osseo.audit.models import AuditEntry, ChainHead
from osseo.audit.rekey import UnkeyedChainBroken, rechain_with_key
from osseo.audit.services import Checkpoint, checkpoint, content_of, record, verify_chain

from .conftest import as_owner

OTHER_KEY = b"another-installation-key-of-48-characters-long-xx"


def _rehash_from(seq, hasher):
    """Rewrite the hashes of every entry from `seq` on, as an attacker with the table would."""
    entries = list(AuditEntry.objects.filter(seq__gte=seq - 1).order_by("seq"))
    prev = entries[0].hash if entries[0].seq < seq else GENESIS
    for entry in entries:
        if entry.seq < seq:
            continue
        entry.prev_hash = prev
        entry.hash = hasher(prev, content_of(entry))
        as_owner(
            "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
            [entry.prev_hash, entry.hash, entry.pk],
        )
        prev = entry.hash
    return prev


@pytest.fixture
def long_chain(world):
    for _ in range(20):
        record("audit.trail.viewed", actor=world.users["clinic_admin"], patient=world.patient)
    return world


def test_an_edited_entry_and_every_later_one_rehashed_with_osseos_old_function_is_caught(
    long_chain,
):
    target = AuditEntry.objects.order_by("seq")[4]
    as_owner("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["mallory", target.pk])
    _rehash_from(target.seq, unkeyed_entry_hash)
    report = verify_chain()
    assert (report.ok, report.broken_seq) == (False, target.seq)
    assert report.reason == "it was re-hashed without the audit key"


def test_a_chain_rehashed_with_a_guessed_key_is_caught_at_the_first_changed_entry(long_chain):
    import hmac

    target = AuditEntry.objects.order_by("seq")[4]
    _rehash_from(
        target.seq,
        lambda prev, content: hmac.new(OTHER_KEY, (prev + content).encode(), "sha256").hexdigest(),
    )
    report = verify_chain()
    assert report.broken_seq == target.seq
    assert report.reason == "its content was changed, or it was written with another audit key"


def test_removing_the_newest_entries_is_caught_without_a_checkpoint(long_chain):
    last = AuditEntry.objects.order_by("-seq").first().seq
    as_owner("DELETE FROM audit_auditentry WHERE seq > %s", [last - 5])
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == last - 4
    assert f"the chain ends at entry {last - 5} but its head is entry {last}" in report.reason


def test_removing_the_head_record_too_is_caught(long_chain):
    last = AuditEntry.objects.order_by("-seq").first().seq
    as_owner("DELETE FROM audit_auditentry WHERE seq > %s", [last - 5])
    as_owner("DELETE FROM audit_chainhead", [])
    assert verify_chain().reason == "the chain's head record is missing"


def test_a_head_record_forged_without_the_key_is_caught(long_chain):
    last = AuditEntry.objects.order_by("-seq").first()
    previous = AuditEntry.objects.get(seq=last.seq - 1)
    as_owner("DELETE FROM audit_auditentry WHERE id = %s", [last.pk])
    as_owner(
        "UPDATE audit_chainhead SET seq = %s, hash = %s",
        [previous.seq, previous.hash],
    )
    assert verify_chain().reason == "the chain's head record was not written with this audit key"


def test_a_truncation_with_a_matching_head_put_back_is_caught_by_the_checkpoint(long_chain):
    """Someone who kept an older head row can put it back after removing the entries after it:
    the database alone cannot tell, a checkpoint kept off the server can, and names the entry."""
    kept = checkpoint()
    head = ChainHead.objects.get()
    as_owner("DELETE FROM audit_auditentry WHERE seq > %s", [kept.seq - 3])
    previous = AuditEntry.objects.get(seq=kept.seq - 3)
    # Even with a head row that matches (as if its owner had kept one), the checkpoint holds.
    from django.conf import settings

    from osseo.audit.chain import head_mark

    as_owner(
        "UPDATE audit_chainhead SET seq = %s, hash = %s, mark = %s",
        [
            previous.seq,
            previous.hash,
            head_mark(settings.OSSEO_AUDIT_KEY, previous.seq, previous.hash),
        ],
    )
    assert head.seq == kept.seq
    assert verify_chain().ok
    report = verify_chain(against=kept)
    assert report.broken_seq == kept.seq - 2
    assert f"the chain ends at entry {kept.seq - 3} but the checkpoint" in report.reason


def test_a_wrong_key_fails_verification(long_chain, settings):
    kept = checkpoint()
    settings.OSSEO_AUDIT_KEY = OTHER_KEY
    report = verify_chain()
    assert (report.ok, report.broken_seq) == (False, 1)
    assert verify_chain(against=kept).reason == (
        "the checkpoint was not written with this audit key"
    )


def test_a_checkpoint_edited_by_hand_is_refused(long_chain):
    kept = checkpoint()
    forged = Checkpoint(kept.seq - 5, kept.hash, kept.at, kept.mark)
    assert verify_chain(against=forged).reason == (
        "the checkpoint was not written with this audit key"
    )


def test_the_checkpoint_command_writes_a_file_that_verify_reads(long_chain, tmp_path, capsys):
    path = tmp_path / "head.json"
    call_command("audit", "checkpoint", "--output", str(path))
    written = json.loads(path.read_text())
    last = AuditEntry.objects.order_by("-seq").first()
    assert (written["seq"], written["hash"]) == (last.seq, last.hash)
    assert set(written) == {"seq", "hash", "at", "mark"}
    call_command("audit", "verify", "--checkpoint", str(path))
    assert f"no shorter than the checkpoint (entry {last.seq})" in capsys.readouterr().out
    as_owner("DELETE FROM audit_auditentry WHERE seq > %s", [last.seq - 2])
    as_owner("DELETE FROM audit_chainhead", [])
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", "--checkpoint", str(path))
    assert exit_info.value.code == 1


def test_the_checkpoint_command_prints_to_standard_output(long_chain, capsys):
    call_command("audit", "checkpoint")
    printed = json.loads(capsys.readouterr().out)
    assert printed["seq"] == AuditEntry.objects.count()


def _unkeyed(world):
    """Turn the world's chain into one written before the key: plain SHA-256, no head."""
    _rehash_from(1, unkeyed_entry_hash)
    as_owner("DELETE FROM audit_chainhead", [])


def test_an_unkeyed_chain_is_verified_then_rechained_once_with_its_old_head_recorded(long_chain):
    _unkeyed(long_chain)
    old_last = AuditEntry.objects.order_by("-seq").first()
    assert not verify_chain().ok
    _as_migration(lambda: rechain_with_key(AuditEntry, ChainHead, _key()))
    report = verify_chain()
    assert report.ok
    marker = AuditEntry.objects.order_by("-seq").first()
    assert marker.seq == old_last.seq + 1
    assert marker.action == "audit.chain.keyed"
    assert marker.changes == {
        "unkeyed_head": {"seq": old_last.seq, "hash": old_last.hash},
        "entries": old_last.seq,
    }
    assert _as_migration(lambda: rechain_with_key(AuditEntry, ChainHead, _key())) == 0  # once


def test_a_broken_unkeyed_chain_is_not_laundered_by_the_rechaining(long_chain):
    _unkeyed(long_chain)
    target = AuditEntry.objects.get(seq=3)
    as_owner("UPDATE audit_auditentry SET actor_label = 'mallory' WHERE id = %s", [target.pk])
    with pytest.raises(UnkeyedChainBroken, match="broken at entry 3"):
        _as_migration(lambda: rechain_with_key(AuditEntry, ChainHead, _key()))
    assert not ChainHead.objects.exists()


def _key():
    from django.conf import settings

    return settings.OSSEO_AUDIT_KEY


def _as_migration(run):
    """Run as migration 0003 does: as the owner, with PostgreSQL's append-only trigger lifted."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return run()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
        cursor.execute("SET ROLE NONE")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own rows, checked now
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        try:
            return run()
        finally:
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
            cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")


@pytest.mark.slow
def test_the_migration_moves_an_unkeyed_chain_onto_the_keyed_chain(tmp_path):
    """On a real database file: migrate to before the key, write an unkeyed chain, migrate on."""
    env = {**os.environ, "OSSEO_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    osseo = os.path.join(os.path.dirname(sys.executable), "osseo")

    def run(*args):
        return subprocess.run(
            [osseo, *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )

    assert run("migrate", "-v0").returncode == 0
    assert run("migrate", "audit", "0002", "-v0").returncode == 0
    write_unkeyed = (
        "import uuid; from django.utils import timezone; "
        "from osseo.audit.models import AuditEntry as E; "
        "from osseo.audit.chain import GENESIS, unkeyed_entry_hash; "
        "from osseo.audit.services import content_of\n"
        "prev = GENESIS\n"
        "for seq in range(1, 4):\n"
        "    e = E(uuid=uuid.uuid4(), seq=seq, at=timezone.now(), actor_label='old',"
        " action='audit.trail.viewed', changes={}, prev_hash=prev)\n"
        "    e.hash = unkeyed_entry_hash(prev, content_of(e)); e.save(); prev = e.hash\n"
        "print(prev)"
    )
    # The ChainHead model exists in the code but not yet in this database: write entries only.
    done = run("shell", "-c", write_unkeyed)
    assert done.returncode == 0, done.stderr
    old_head = done.stdout.strip()
    assert run("migrate", "-v0").returncode == 0
    verified = run("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.strip() == "audit chain holds: 4 entries checked"
    shown = run(
        "shell",
        "-c",
        "from osseo.audit.models import AuditEntry as E; "
        "print(E.objects.get(seq=4).changes['unkeyed_head']['hash'])",
    )
    assert shown.stdout.strip() == old_head
