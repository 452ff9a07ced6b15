"""The test run's own machinery: grouped tests really share a worker under --dist=loadgroup (the
live server and the shared demo are started once per group, not once per worker)."""

import pytest


@pytest.mark.xdist_group("harness")
def test_a_grouped_test_carries_its_group_for_the_scheduler(request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not distributed with --dist=loadgroup")
    assert request.node.nodeid.endswith("@harness")
