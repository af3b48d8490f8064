"""Small text helpers that several apps use. This module imports no app."""


def lower_first(text):
    """The text as it reads mid-sentence: "Prolotherapy" → "prolotherapy", "E-mail address" →
    "e-mail address"; a leading acronym stays as it is ("PRP injections", "MRI-guided …")."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def tel_href(phone):
    """A phone number as a tel: link target (digits and a leading plus only)."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f"tel:{digits}" if digits else ""


def non_empty_lines(text):
    """The lines of `text` that hold something, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]
