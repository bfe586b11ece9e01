"""Outside development mode no process starts with the public or a weak secret."""

from __future__ import annotations

import secrets

import pytest

from knotenpunkt.shared.config import DEV_JWT_SECRET, InsecureSettings, Settings, from_env

STRONG = secrets.token_urlsafe(48)
LINK = secrets.token_urlsafe(48)


def test_default_settings_refuse_to_start():
    with pytest.raises(InsecureSettings) as err:
        from_env({}).check_secrets()
    assert "JWT_SECRET" in str(err.value) and "LINK_SECRET" in str(err.value)


def test_development_mode_allows_the_public_secrets():
    from_env({"KNOTENPUNKT_DEV": "1"}).check_secrets()


@pytest.mark.parametrize(
    ("jwt", "link", "says"),
    [
        ("short", LINK, "JWT_SECRET is 5 bytes"),
        (STRONG, "", "LINK_SECRET is not set"),
        (STRONG, "kurz", "LINK_SECRET is 4 bytes"),
        (STRONG, STRONG, "LINK_SECRET must differ"),
        (DEV_JWT_SECRET, LINK, "JWT_SECRET is not set"),
    ],
)
def test_weak_or_shared_secrets_are_named(jwt, link, says):
    env = {"JWT_SECRET": jwt, "LINK_SECRET": link}
    with pytest.raises(InsecureSettings) as err:
        from_env(env).check_secrets()
    assert says in str(err.value)


def test_own_secrets_or_a_jwks_url_start():
    from_env({"JWT_SECRET": STRONG, "LINK_SECRET": LINK}).check_secrets()
    from_env({"JWT_JWKS_URL": "https://login.example/jwks", "LINK_SECRET": LINK}).check_secrets()


def test_app_and_worker_refuse_to_start(tmp_path):
    from knotenpunkt.shared.web import create_service_app
    from knotenpunkt.shared.worker import Worker

    insecure = Settings(var_dir=tmp_path)
    with pytest.raises(InsecureSettings):
        create_service_app("voting", settings=insecure)
    with pytest.raises(InsecureSettings):
        Worker("voting", {}, settings=insecure)


def test_cli_says_what_to_set(monkeypatch, capsys):
    from knotenpunkt.cli import main

    for name in ("JWT_SECRET", "LINK_SECRET", "JWT_JWKS_URL", "KNOTENPUNKT_DEV"):
        monkeypatch.delenv(name, raising=False)
    assert main(["worker", "voting"]) == 2
    assert "JWT_SECRET" in capsys.readouterr().err
