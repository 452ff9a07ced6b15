"""Every page and PDF of the demo, for every persona, reads without Osseo's code names: no choice
code where its label says something else, no ISO date outside a `<time>` element's attribute,
no Python repr. The pages are found by following links from each person's start page."""

import pytest
from django.test import Client

from osseo.accounts.models import User
from tests.labels.crawl import choice_codes, crawl, findings, shape

PERSONAS = ["surgeon", "anaesthetist", "prosthetist", "coordinator", "admin", "rehab", "patient"]
# The patient's own pages at three points of the pathway (osseo/demo/patients.py).
PERSONAS += ["patient-rehab", "patient-follow", "patient-plan"]


@pytest.mark.parametrize("username", PERSONAS)
def test_every_page_and_pdf_says_what_it_means(seeded_demo, db, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    pages = list(crawl(client))
    codes = choice_codes()
    problems: dict[str, str] = {}  # one line per problem and page shape
    for page in pages:
        for problem in findings(page, codes, names=set(PERSONAS)):
            problems.setdefault(problem.replace(page.url, shape(page.url)), problem)
    assert len(pages) > (3 if username.startswith("patient") else 40)
    assert list(problems) == [], f"{len(problems)} on {len(pages)} pages:\n" + "\n".join(
        problems.values()
    )
