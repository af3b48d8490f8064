"""Text helpers shared by the apps."""

import pytest

from base.text import lower_first


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Prolotherapy", "prolotherapy"),
        ("Platelet-rich plasma injections", "platelet-rich plasma injections"),
        ("E-mail address", "e-mail address"),
        ("PRP injections", "PRP injections"),
        ("MRI-guided nerve blocks", "MRI-guided nerve blocks"),
        ("NHS number", "NHS number"),
        ("A", "A"),
        ("", ""),
    ],
)
def test_lower_first_keeps_a_leading_acronym(text, expected):
    assert lower_first(text) == expected
