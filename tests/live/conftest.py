import pytest

from .server import start


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups, or each worker starts a server
def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/live/" in str(item.fspath):
            item.add_marker(pytest.mark.live)
            item.add_marker(pytest.mark.xdist_group("live"))  # one server, on one worker


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    site, stop = start(tmp_path_factory.mktemp("live"))
    yield site
    stop()
