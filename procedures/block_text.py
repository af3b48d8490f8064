"""What the procedure blocks share: the SORT grades, list items, short rich text and the
text of a block's value without its markup."""

from html import unescape

from django.utils.html import strip_tags
from wagtail import blocks

# The strength-of-recommendation taxonomy (SORT; Ebell MH et al., Am Fam Physician 2004):
# each grade's meaning in full, as patients read it, and a short label for the editor's menu.
SORT_GRADES = {
    "A": "Recommendation based on consistent and good-quality patient-oriented evidence.",
    "B": "Recommendation based on inconsistent or limited-quality patient-oriented evidence.",
    "C": (
        "Recommendation based on consensus, usual practice, opinion, disease-oriented "
        "evidence or case series."
    ),
}
SORT_GRADE_LABELS = {
    "A": "A: good-quality evidence",
    "B": "B: limited or inconsistent evidence",
    "C": "C: consensus, opinion or case series",
}


def stripped(value, name):
    """A text field of a struct value without surrounding spaces; "" when it was never filled
    in (a section made in code, not in the editor, holds None)."""
    return (value.get(name) or "").strip()


def plain_text(rich_text):
    """Rich text as the words a reader sees, on one line (internal links expanded)."""
    return " ".join(unescape(strip_tags(str(rich_text or ""))).split())


# The few rich-text features a short answer or note needs.
SHORT_RICH_TEXT = ["bold", "italic", "link", "ul", "ol"]


class ListItemBlock(blocks.CharBlock):
    """A line of a list. The admin shows a list's items without labels, so each item's input
    carries its label as its accessible name (read out by screen readers)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field.widget.attrs["aria-label"] = self.label
