"""Small text helpers that several apps use. This module imports no app."""


def lower_first(text):
    """The text as it reads mid-sentence: "Prolotherapy" → "prolotherapy", "E-mail address" →
    "e-mail address"; a leading acronym stays as it is ("PRP injections", "MRI-guided …")."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
