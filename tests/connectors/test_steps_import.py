"""Daily steps arrive by file, command line and API: idempotent, all or nothing, lines named."""

import datetime as dt
import json
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db.models.query import QuerySet

from osseo.audit.models import AuditEntry
from osseo.connectors.actions import import_daily_steps
from osseo.connectors.models import ActivityDay
from osseo.connectors.stepsfile import MAX_PROBLEMS, StepsFileError, parse_steps_csv
from tests.conftest import api_client
from tests.connectors.conftest import STEPS

TODAY = dt.date(2026, 11, 26)
MALFORMED_PROBLEMS = [
    "line 3: the step count -5 is negative",
    "line 5: 'lots' is not a whole number of steps",
    "line 6: '03/05/2026' is not a date written as YYYY-MM-DD",
    "line 7: expected 2 fields as in the header, found 3",
    "line 8: 2026-03-01 appears again with another count (8,000, first 8,412 on line 2)",
    "line 9: '2026-02-30' is not a real date",
    "line 10: 450,000 steps in one day is more than 200,000: is it the right column?",
    "line 11: 2099-01-01 is in the future",
]


def days_held(patient):
    return list(
        ActivityDay.objects.filter(patient=patient).order_by("date").values_list("date", "steps")
    )


def test_a_wearable_export_parses_with_grouped_thousands():
    days = parse_steps_csv((STEPS / "wearable_export.csv").read_bytes(), today=TODAY)
    assert days == {
        dt.date(2026, 3, 1): 8412,
        dt.date(2026, 3, 2): 10230,
        dt.date(2026, 3, 3): 9800,
        dt.date(2026, 3, 4): 0,
        dt.date(2026, 3, 5): 12004,
    }


def test_a_semicolon_file_with_a_bom_and_extra_columns_parses():
    days = parse_steps_csv((STEPS / "semicolon_bom.csv").read_bytes(), today=TODAY)
    assert days == {dt.date(2026, 4, 1): 7250, dt.date(2026, 4, 2): 6980}


def test_every_bad_line_of_a_malformed_file_is_named_as_an_editor_counts_it():
    with pytest.raises(StepsFileError) as caught:
        parse_steps_csv((STEPS / "malformed.csv").read_bytes(), today=TODAY)
    assert caught.value.problems == MALFORMED_PROBLEMS


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (b"", ["line 1: the file has no date,steps header"]),
        (
            b"day,count\n2026-01-01,5\n",
            [
                "line 1: the header must name a date and a steps column (date,steps), not 'day,count'"
            ],
        ),
        (b"date,steps\n", ["line 2: there are no days after the header"]),
        (
            b"# exported by a watch\ndate,steps\n2026-01-01,\xff\n",
            ["line 3: the text is not UTF-8 (save the file as UTF-8)"],
        ),
        (b"date,steps\n2026-01-01,\n", ["line 2: no step count"]),
        (b"date,steps\n2026-01-01,12.5\n", ["line 2: '12.5' is not a whole number of steps"]),
    ],
)
def test_other_malformed_files_are_refused_with_the_line_and_reason(data, problems):
    with pytest.raises(StepsFileError) as caught:
        parse_steps_csv(data, today=TODAY)
    assert caught.value.problems == problems


def test_messages_stop_at_the_limit_and_say_how_many_more():
    data = b"date,steps\n" + b"".join(b"2026-01-%02d,x\n" % d for d in range(1, 31))
    with pytest.raises(StepsFileError) as caught:
        parse_steps_csv(data, today=TODAY)
    assert len(caught.value.problems) == MAX_PROBLEMS + 1
    assert caught.value.problems[0] == "line 2: 'x' is not a whole number of steps"
    assert caught.value.problems[-1] == "... and 10 more bad lines (fix these first)"


def test_the_same_file_twice_adds_nothing_and_a_changed_day_replaces_the_old_count(world):
    days = parse_steps_csv((STEPS / "wearable_export.csv").read_bytes(), today=TODAY)
    actor = world.users["prosthetist"]
    first = import_daily_steps(actor=actor, patient=world.patient, days=days, source="a.csv")
    again = import_daily_steps(actor=actor, patient=world.patient, days=days, source="a.csv")
    assert (first.added, first.changed, first.unchanged) == (5, 0, 0)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 5)
    assert ActivityDay.objects.count() == 5
    resync = import_daily_steps(
        actor=actor,
        patient=world.patient,
        days={dt.date(2026, 3, 5): 13000, dt.date(2026, 3, 6): 4000},
        source="b.csv",
    )
    assert (resync.added, resync.changed, resync.unchanged) == (1, 1, 0)
    assert days_held(world.patient)[-2:] == [
        (dt.date(2026, 3, 5), 13000),
        (dt.date(2026, 3, 6), 4000),
    ]


def test_an_interrupted_import_leaves_nothing(world, monkeypatch):
    real = QuerySet.bulk_update

    def fail_after_writing(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise ConnectionError("the database went away")

    monkeypatch.setattr(QuerySet, "bulk_update", fail_after_writing)
    with pytest.raises(ConnectionError):
        import_daily_steps(
            actor=world.users["prosthetist"],
            patient=world.patient,
            days={dt.date(2026, 3, 1): 100},
            source="x",
        )
    assert ActivityDay.objects.count() == 0
    assert not AuditEntry.objects.filter(action="connectors.steps.imported").exists()


def test_the_command_imports_once_and_audits_the_command_line_without_an_actor(
    world, capsys, monkeypatch
):
    path = STEPS / "wearable_export.csv"
    argv = ["osseo", "import-steps", str(path), "--patient", str(world.patient.uuid)]
    monkeypatch.setattr(sys, "argv", argv)
    call_command("import-steps", str(path), "--patient", str(world.patient.uuid))
    call_command("import-steps", str(path), "--patient", str(world.patient.uuid))
    out = capsys.readouterr().out
    assert (
        "wearable_export.csv: 5 days added, 0 changed, 0 already held (2026-03-01 to 2026-03-05)"
        in out
    )
    assert "wearable_export.csv: 0 days added, 0 changed, 5 already held" in out
    entry = AuditEntry.objects.filter(action="connectors.steps.imported").first()
    assert entry.actor is None
    assert entry.actor_label == "cli: " + " ".join(argv)
    assert len(days_held(world.patient)) == 5


def test_the_command_refuses_a_malformed_file_whole_naming_every_line(world, capsys):
    with pytest.raises(CommandError, match="refused, nothing imported"):
        call_command(
            "import-steps", str(STEPS / "malformed.csv"), "--patient", str(world.patient.uuid)
        )
    err = capsys.readouterr().err
    for problem in MALFORMED_PROBLEMS:
        assert f"malformed.csv: {problem}" in err
    assert ActivityDay.objects.count() == 0


def test_the_command_with_an_actor_checks_their_role_and_scope(world):
    path = str(STEPS / "wearable_export.csv")
    with pytest.raises(CommandError, match="may not import activity"):
        call_command(
            "import-steps", path, "--patient", str(world.patient.uuid), "--actor", "coordinator"
        )
    with pytest.raises(CommandError, match="may not import activity"):
        call_command(
            "import-steps", path, "--patient", str(world.patient.uuid), "--actor", "outsider"
        )
    with pytest.raises(CommandError, match="no patient"):
        call_command("import-steps", path, "--patient", "nonsense")
    call_command(
        "import-steps", path, "--patient", str(world.patient.uuid), "--actor", "prosthetist"
    )
    entry = AuditEntry.objects.get(action="connectors.steps.imported")
    assert entry.actor == world.users["prosthetist"]


def test_the_api_imports_json_csv_and_multipart_and_returns_the_days_for_a_range(world):
    client = api_client(world.users["prosthetist"])
    url = f"/api/v1/patients/{world.patient.uuid}/activity/daily"
    body = {"days": [{"date": "2026-03-01", "steps": 8412}, {"date": "2026-03-02", "steps": 10230}]}
    first = client.post(url, json.dumps(body), content_type="application/json")
    assert first.status_code == 200
    assert first.json() == {
        "added": 2,
        "changed": 0,
        "unchanged": 0,
        "first_day": "2026-03-01",
        "last_day": "2026-03-02",
    }
    again = client.post(url, json.dumps(body), content_type="application/json")
    assert again.json()["unchanged"] == 2
    csv = client.post(url, (STEPS / "wearable_export.csv").read_bytes(), content_type="text/csv")
    assert csv.json() == {
        "added": 3,
        "changed": 0,
        "unchanged": 2,
        "first_day": "2026-03-01",
        "last_day": "2026-03-05",
    }
    with (STEPS / "semicolon_bom.csv").open("rb") as f:
        multipart = client.post(url, {"file": f})
    assert multipart.json()["added"] == 2
    listed = client.get(url + "?from=2026-03-02&to=2026-03-04").json()
    assert listed == [
        {"date": "2026-03-02", "steps": 10230},
        {"date": "2026-03-03", "steps": 9800},
        {"date": "2026-03-04", "steps": 0},
    ]
    assert len(client.get(url).json()) == 7
    assert client.get(url + "?from=2026-03-05&to=2026-03-01").status_code == 422


def test_the_api_refuses_a_malformed_import_whole_with_each_problem(world):
    client = api_client(world.users["prosthetist"])
    url = f"/api/v1/patients/{world.patient.uuid}/activity/daily"
    response = client.post(url, (STEPS / "malformed.csv").read_bytes(), content_type="text/csv")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["message"] for e in response.json()["errors"]] == MALFORMED_PROBLEMS
    assert {e["field"] for e in response.json()["errors"]} == {"file"}
    bad_json = {"days": [{"date": "2026-03-01", "steps": 5}, {"date": "tomorrow", "steps": -1}]}
    response = client.post(url, json.dumps(bad_json), content_type="application/json")
    assert response.status_code == 422
    assert [e["message"] for e in response.json()["errors"]] == [
        "days[1]: 'tomorrow' is not a date written as YYYY-MM-DD; the step count -1 is negative"
    ]
    assert ActivityDay.objects.count() == 0
