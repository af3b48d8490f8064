"""A number or a database address from the environment that is not what it should be
(`EMAIL_PORT=smtp`, `EMAIL_PORT=587x`, `REDIS_TIMEOUT=fast`, an empty or unreadable
`DATABASE_URL`) stops the site with a message naming the setting and the value it expects,
not a traceback: the settings keep the value as given (env_int and env_float in
clinic_site/settings/base.py) and the start-up checks name it (base/checks.py and each app's
checks.py)."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Each number read from the environment in clinic_site/settings/, a good value of it, and
# what the message says it must be.
NUMBERS = [
    ("EMAIL_PORT", "587", "a whole number from 1 to 65535"),
    ("EMAIL_TIMEOUT", "10", "a whole number of at least 1"),
    ("DATABASE_CONN_MAX_AGE", "600", "a whole number of at least 0"),
    ("DATABASE_CONNECT_TIMEOUT", "2", "a whole number of at least 1"),
    ("DATABASE_STATEMENT_TIMEOUT", "2500", "a whole number of at least 0"),
    ("DATABASE_WAIT_LIMIT", "2700", "a whole number"),
    ("TRUSTED_PROXY_COUNT", "1", "a whole number of at least 0"),
    ("CONTACT_RATE_LIMIT", "10", "a whole number of at least 1"),
    ("CONTACT_RATE_WINDOW", "3600", "a whole number of at least 1"),
    ("FORM_SUBMISSION_RETENTION_DAYS", "365", "a whole number from 1 to 36500"),
    ("PAGE_CACHE_SECONDS", "3600", "a whole number of at least 1"),
    ("BROWSER_CACHE_SECONDS", "60", "a whole number of at least 0"),
    ("CDN_CACHE_SECONDS", "300", "a whole number of at least 0"),
    ("PAGE_CACHE_VERSION_SECONDS", "10", "a whole number of at least 1"),
    ("PAGE_CACHE_RENDER_SECONDS", "5", "a whole number of at least 1"),
    ("AXES_FAILURE_LIMIT", "5", "a whole number of at least 1"),
    ("AXES_COOLOFF_MINUTES", "60", "a whole number from 1 to 525600"),
    ("SECURE_HSTS_SECONDS", "31536000", "a whole number of at least 0"),
    ("REDIS_TIMEOUT", "0.25", "a number of seconds above 0, such as 0.25"),
]
# What the production settings need to load at all (nothing here connects to them).
PRODUCTION = {
    "SECRET_KEY": "a-test-secret-key-that-is-long-and-random-enough-0123456789",
    "DATABASE_URL": "postgres://clinic@db.example/clinic",
    "EMAIL_HOST": "smtp.clinic.example",
}


@pytest.fixture
def environment(monkeypatch, settings):
    """read(**variables): the settings modules read again with `variables` in the
    environment (production's too, for its own numbers, unless production=False); each
    setting named is put in Django's settings, and the module read last returned."""

    def read(production=True, **variables):
        for name, value in {**PRODUCTION, **variables}.items():
            monkeypatch.setenv(name, value)
        module = importlib.reload(importlib.import_module("clinic_site.settings.base"))
        if production:
            module = importlib.reload(importlib.import_module("clinic_site.settings.production"))
        for name in variables:
            setattr(settings, name, getattr(module, name))
        return module

    yield read
    monkeypatch.undo()
    importlib.reload(importlib.import_module("clinic_site.settings.base"))


def errors_naming(name):
    return [e.msg for e in run_checks() if e.is_serious() and e.msg.startswith(f"{name} ")]


@pytest.mark.parametrize("name, good, wanted", NUMBERS)
def test_a_good_number_is_read_as_one(environment, name, good, wanted):
    module = environment(**{name: good})
    assert getattr(module, name) == (float(good) if "." in good else int(good))
    assert errors_naming(name) == []


@pytest.mark.parametrize("name, good, wanted", NUMBERS)
@pytest.mark.parametrize("wrong", ["{good}x", "{good} {good}", "fast", "٣", "1e3"])
def test_a_wrong_number_is_named_with_the_value_it_expects(environment, name, good, wanted, wrong):
    value = wrong.format(good=good)
    environment(**{name: value})
    [message] = errors_naming(name)
    assert message.startswith(f"{name} must be {wanted}")
    assert message.endswith(f"(it is {value!r}).")


@pytest.mark.parametrize(
    "value",
    [
        "postgres://clinic@127.0.0.1:5432/clinic",
        "postgres://clinic:p%40ss@db.example/clinic?sslmode=require",
        "sqlite:///var/lib/clinic/db.sqlite3",
    ],
)
def test_a_good_database_url_is_read(environment, value):
    module = environment(production=False, DATABASE_URL=value)
    assert module.DATABASES["default"]["ENGINE"] != "django.db.backends.dummy"
    assert errors_naming("DATABASE_URL") == []


@pytest.mark.parametrize(
    "value, shown, unreadable",
    [
        ("", "", True),
        ("postgres//x", "postgres//x", True),
        ("postgres://", "postgres://", False),
        (
            "postgres://clinic@127.0.0.1:5432x/clinic",
            "postgres://clinic@127.0.0.1:5432x/clinic",
            True,
        ),
        (
            "postgres://clinic@127.0.0.1:5432/clinic x",
            "postgres://clinic@127.0.0.1:5432/clinic x",
            False,
        ),
        (
            "postgres://clinic:s3cret@db.example:5432x/clinic",
            "postgres://clinic:********@db.example:5432x/clinic",
            True,
        ),
    ],
)
def test_a_database_url_that_cannot_be_read_is_named_with_the_value_it_expects(
    environment, value, shown, unreadable
):
    module = environment(production=False, DATABASE_URL=value)
    assert errors_naming("DATABASE_URL") == [
        "DATABASE_URL must be a database's address such as "
        f"postgres://clinic:password@127.0.0.1:5432/clinic (it is {shown!r})."
    ]
    # What cannot be read at all gives no database: every query is refused.
    if unreadable:
        assert module.DATABASES == {"default": {"ENGINE": "django.db.backends.dummy"}}


def manage(*args, **variables):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
    )


def test_manage_py_names_a_wrong_number_without_a_traceback():
    result = manage("check", DJANGO_SETTINGS_MODULE="clinic_site.settings.dev", EMAIL_PORT="smtp")
    assert result.returncode == 1
    assert "EMAIL_PORT must be a whole number from 1 to 65535 (it is 'smtp')." in result.stderr
    assert "Traceback" not in result.stderr


def test_manage_py_names_an_empty_database_url_in_production_without_a_traceback():
    result = manage(
        "migrate",
        **{**PRODUCTION, "DATABASE_URL": ""},
        DJANGO_SETTINGS_MODULE="clinic_site.settings.production",
    )
    assert result.returncode == 1
    assert result.stderr.startswith("DATABASE_URL must be set in the environment for production")
    assert "postgres://clinic:password@127.0.0.1:5432/clinic" in result.stderr
    assert "Traceback" not in result.stderr
