"""The production settings serve the site under gunicorn, with WhiteNoise serving static files."""

import re
import urllib.error
import urllib.request

import pytest

from tests.servers import fetch, gunicorn, prepare_site, production_env


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("production")
    env = production_env(workdir)
    prepare_site(env)
    with gunicorn(env, workdir) as base_url:
        yield base_url


def test_pages_are_served(production_server):
    status, headers, body = fetch(production_server + "/procedures/prolotherapy/")
    assert status == 200
    assert b"Side effects of prolotherapy" in body
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_have_hashed_names_and_long_cache_lifetimes(production_server):
    _, _, body = fetch(production_server + "/")
    css = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
    assert css, "the stylesheet is linked by its hashed name"
    status, headers, _ = fetch(production_server + css.group(1).decode())
    assert status == 200
    assert "max-age=315360000" in headers["Cache-Control"]


def test_unknown_hosts_are_refused(production_server):
    status, _, _ = fetch(production_server + "/", host="attacker.example")
    assert status == 400


def test_plain_http_is_redirected_to_https(production_server):
    request = urllib.request.Request(production_server + "/", headers={"Host": "localhost"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(request, timeout=60)
    assert caught.value.code == 301
    assert caught.value.headers["Location"] == "https://localhost/"


def test_without_a_secret_key_the_server_refuses_to_start(tmp_path):
    env = production_env(tmp_path, SECRET_KEY="")
    with pytest.raises(RuntimeError) as caught:
        with gunicorn(env, tmp_path, workers=1):
            pass
    assert "SECRET_KEY must be set in the environment for production" in str(caught.value)
    assert "SECRET_KEY must be set" in (tmp_path / "gunicorn.log").read_text()
