import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from osseo.audit.models import AuditEntry
from osseo.audit.services import record, verify_chain

from .conftest import as_owner

_raw = as_owner


def test_every_change_in_the_world_is_chained_and_the_chain_holds(world):
    report = verify_chain()
    assert report.ok
    assert report.checked == AuditEntry.objects.count() > 5
    seqs = list(AuditEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_an_entry_edited_in_the_database_breaks_the_chain_at_that_entry(world):
    target = AuditEntry.objects.get(action="patients.patient.created", patient=world.patient)
    _raw("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["mallory", target.pk])
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == target.seq
    assert report.reason == "its content was changed, or it was written with another audit key"


def test_changed_details_in_the_json_are_caught(world):
    target = AuditEntry.objects.get(action="patients.limb.created")
    _raw(
        "UPDATE audit_auditentry SET changes = %s WHERE id = %s",
        ['{"site": [null, "tibia"]}', target.pk],
    )
    assert verify_chain().broken_seq == target.seq


def test_a_deleted_entry_is_caught_and_named(world):
    entries = list(AuditEntry.objects.order_by("seq"))
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    report = verify_chain()
    assert report.broken_seq == entries[2].seq
    assert report.reason == "this entry is missing"


def test_a_hash_recomputed_without_the_key_is_caught_at_that_entry(world):
    from osseo.audit.chain import unkeyed_entry_hash
    from osseo.audit.services import content_of

    entries = list(AuditEntry.objects.order_by("seq"))
    forged = entries[1]
    forged.actor_label = "mallory"
    new_hash = unkeyed_entry_hash(forged.prev_hash, content_of(forged))
    _raw(
        "UPDATE audit_auditentry SET actor_label = %s, hash = %s WHERE id = %s",
        ["mallory", new_hash, forged.pk],
    )
    report = verify_chain()
    assert report.broken_seq == forged.seq
    assert report.reason == "it was re-hashed without the audit key"


def test_the_application_offers_no_way_to_edit_an_entry_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("the database-level refusal is PostgreSQL's")
    entry = AuditEntry.objects.first()
    with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="mallory")
    with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_label == entry.actor_label


def test_an_unknown_action_code_is_refused(world):
    with pytest.raises(ValueError, match="unknown audit action"):
        record("patients.patient.teleported", actor=None)


def test_the_verify_command_exits_0_when_the_chain_holds(world, capsys):
    call_command("audit", "verify")
    assert "audit chain holds" in capsys.readouterr().out


def test_the_verify_command_exits_1_and_prints_the_first_broken_entry(world, capsys):
    target = AuditEntry.objects.order_by("seq")[3]
    _raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["audit.trail.viewed", target.pk])
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert out.strip() == str(target.seq)
    assert f"broken at entry {target.seq}" in err


def test_the_console_script_runs_audit_verify(tmp_path):
    """`osseo audit verify` as a newcomer types it, on a fresh database."""
    import os

    env = {**os.environ, "OSSEO_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    osseo = os.path.join(os.path.dirname(sys.executable), "osseo")
    subprocess.run([osseo, "migrate", "-v0"], env=env, check=True, timeout=120)
    done = subprocess.run(
        [osseo, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout.strip() == "audit chain holds: 0 entries checked"
