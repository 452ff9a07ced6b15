def test_passwords_are_hashed_with_argon2_in_production_settings():
    # The autouse fixture swaps hashers for speed inside tests; the settings module is unchanged.
    import importlib

    module = importlib.import_module("osseo.settings")
    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_repeated_failed_sign_ins_are_throttled(world, client):
    for _ in range(4):
        response = client.post("/accounts/sign-in/", {"username": "surgeon", "password": "wrong"})
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content
    fifth = client.post("/accounts/sign-in/", {"username": "surgeon", "password": "wrong"})
    assert fifth.status_code == 429
    from tests.conftest import PASSWORD

    locked = client.post("/accounts/sign-in/", {"username": "surgeon", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Sign-in paused" in locked.content


def test_sessions_expire(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
