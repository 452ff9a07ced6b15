"""The log-correction screen (issue 16): a logged day is corrected by its author, with a reason,
through the same action as the API's correction; the flags follow and the change is audited."""

import datetime as dt
from decimal import Decimal as D

import time_machine

from osseo.audit.models import AuditEntry
from osseo.rehab.models import LoadLog
from tests.conftest import api_client, client_for
from tests.rehab.conftest import post
from tests.rehab.test_plan_page_range import operated_plan


def _logged(world):
    plan = operated_plan(world)
    log = post(
        api_client(world.users["rehab_specialist"]),
        f"/api/v1/rehab-plans/{plan['id']}/logs",
        {"date": "2026-01-25", "applied_kg": 4, "pain_nrs": 2},
    ).json()
    return plan, log


@time_machine.travel(dt.datetime(2026, 1, 30, 12, tzinfo=dt.UTC))
def test_the_author_corrects_a_log_on_its_screen_and_the_flags_follow(world):
    plan, log = _logged(world)
    author = client_for(world.users["rehab_specialist"])
    url = f"/load-logs/{log['id']}/correct/"
    assert f'href="{url}"' in author.get(f"/rehab-plans/{plan['id']}/").content.decode()
    page = author.get(url)
    assert page.status_code == 200
    assert 'value="4.0"' in page.content.decode()
    no_reason = author.post(url, {"applied_kg": "40", "pain_nrs": "2", "reason": ""})
    assert no_reason.status_code == 422
    assert LoadLog.objects.get(uuid=log["id"]).applied_kg == D(4)
    done = author.post(url, {"applied_kg": "40", "pain_nrs": "2", "reason": "Typed 4 for 40."})
    assert done.status_code == 302
    corrected = LoadLog.objects.get(uuid=log["id"])
    assert (corrected.applied_kg, corrected.flags) == (D(40), [])
    entry = AuditEntry.objects.get(action="rehab.load.corrected")
    assert entry.changes["reason"] == [None, "Typed 4 for 40."]


@time_machine.travel(dt.datetime(2026, 1, 30, 12, tzinfo=dt.UTC))
def test_no_one_but_the_author_corrects_a_log_on_the_screen(world):
    plan, log = _logged(world)
    other = client_for(world.users["prosthetist"])
    url = f"/load-logs/{log['id']}/correct/"
    assert f'href="{url}"' not in other.get(f"/rehab-plans/{plan['id']}/").content.decode()
    assert other.get(url).status_code == 403
    refused = other.post(url, {"applied_kg": "40", "pain_nrs": "2", "reason": "Not mine."})
    assert refused.status_code == 403
    assert client_for(world.users["outsider"]).get(url).status_code == 404
    assert LoadLog.objects.get(uuid=log["id"]).applied_kg == D(4)
