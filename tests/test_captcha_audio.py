"""The captcha can be heard as well as seen (WCAG 1.1.1): "Listen to the characters", spoken
by flite, next to the picture; without flite there is no such link."""

import os

import captcha.conf.settings as captcha_settings
from bs4 import BeautifulSoup
from captcha.models import CaptchaStore

from tests.conftest import need

CONTACT = "/contact/"


def captcha_field(client):
    soup = BeautifulSoup(client.get(CONTACT).content, "html.parser")
    return soup.select_one("[data-captcha]")


def test_the_characters_can_be_heard(client, demo_content):
    flite = captcha_settings.CAPTCHA_FLITE_PATH
    need(flite and os.path.exists(flite), "needs flite: apt-get install -y flite (as root)")
    field = captcha_field(client)
    image = field.find("img")
    assert "not a robot" in image["alt"]
    (link,) = [a for a in field.find_all("a") if a.get_text().startswith("Listen to the")]
    assert (
        link.get_text()
        == "Listen to the characters (a sound file of the characters in the picture)"
    )
    key = field.find("input", attrs={"type": "hidden"})["value"]
    assert link["href"] == f"/captcha/audio/{key}.wav"

    response = client.get(link["href"])
    assert response["Content-Type"] == "audio/wav"
    sound = b"".join(response.streaming_content) if response.streaming else response.content
    assert sound[:4] == b"RIFF" and sound[8:12] == b"WAVE" and len(sound) > 10_000
    assert CaptchaStore.objects.filter(hashkey=key).exists()  # listening does not use it up


def test_without_flite_only_the_picture_is_offered(client, demo_content, monkeypatch):
    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", None)
    field = captcha_field(client)
    assert field.find("img") is not None
    assert "Listen" not in field.get_text()
