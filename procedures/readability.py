"""How hard a procedure page is to read: its SMOG grade, as patient-information editors know it
(the NHS scores its health information with SMOG), and its Flesch-Kincaid grade.

The text of a page is what patients read on it: the summary and the text that editors typed
into the body's sections. The body is walked block by block, whatever the blocks are: text
fields (`CharBlock`, `TextBlock`, list items), rich text (with its markup removed) and the
text inside struct, list and stream blocks at any depth. So a section added later is covered
without being named here. Choices, numbers, chosen snippets and pages are not typed text and
are left out.

Each piece of text (a field, a line, a paragraph or list item of rich text) counts as a
sentence of its own: a list item or heading without a full stop is still read on its own.
"""

from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

import textstat
from wagtail import blocks

from base.models import ClinicSettings

SENTENCE_ENDS = (".", "!", "?")


class _RichTextReader(HTMLParser):
    """The text of rich text: one piece per paragraph, heading or list item."""

    BREAKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "div", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces = [""]

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKS:
            self.pieces.append("")

    def handle_endtag(self, tag):
        if tag in self.BREAKS:
            self.pieces.append("")

    def handle_data(self, data):
        self.pieces[-1] += data


def _pieces(text):
    """The non-empty lines of a text, each with its spaces tidied."""
    return [" ".join(line.split()) for line in str(text).splitlines() if line.strip()]


def rich_text_pieces(html):
    reader = _RichTextReader()
    reader.feed(html)
    reader.close()
    return [piece for text in reader.pieces for piece in _pieces(text)]


def block_text(block, value):
    """The pieces of text that a block's value shows, in order, at any depth."""
    if value is None:
        return []
    if isinstance(block, blocks.RichTextBlock):
        return rich_text_pieces(getattr(value, "source", str(value)))
    if isinstance(block, (blocks.CharBlock, blocks.TextBlock)):
        return _pieces(value)
    if isinstance(block, blocks.StructBlock):
        return [
            piece
            for name, child_block in block.child_blocks.items()
            for piece in block_text(child_block, value.get(name))
        ]
    if isinstance(block, blocks.ListBlock):
        return [piece for item in value for piece in block_text(block.child_block, item)]
    if isinstance(block, blocks.StreamBlock):
        return [piece for child in value for piece in block_text(child.block, child.value)]
    return []


@dataclass(frozen=True)
class Score:
    """The readability of a text. The grades are None when there is no text to score."""

    smog: Decimal | None
    flesch_kincaid: Decimal | None
    words: int

    def above(self, target):
        return self.smog is not None and target is not None and self.smog > target


def _grade(number):
    return Decimal(str(round(max(number, 0), 1)))


def score(pieces):
    """The readability of pieces of text, each read as a sentence (or more)."""
    text = " ".join(
        piece if piece.endswith(SENTENCE_ENDS) else f"{piece}." for piece in pieces if piece
    )
    words = textstat.lexicon_count(text)
    if not words:
        return Score(smog=None, flesch_kincaid=None, words=0)
    return Score(
        smog=_grade(textstat.smog_index(text)),
        flesch_kincaid=_grade(textstat.flesch_kincaid_grade(text)),
        words=words,
    )


@dataclass(frozen=True)
class SectionScore:
    name: str
    score: Score


@dataclass(frozen=True)
class PageReadability:
    page: Score
    sections: list


def section_name(block, value, page):
    """What the editor knows the section by: its heading on the page, else its block's name."""
    heading = getattr(block, "heading", None)
    if callable(heading):
        text = heading(value, {"page": page})
        if text:
            return text
    return str(block.label)


def page_sections(page):
    """(name, pieces of text) for the summary and for each block of the body."""
    sections = [("Summary", _pieces(page.summary))]
    for child in page.body:
        sections.append(
            (section_name(child.block, child.value, page), block_text(child.block, child.value))
        )
    return sections


def page_readability(page):
    """The readability of each section of a procedure page and of the whole page."""
    sections = page_sections(page)
    return PageReadability(
        page=score([piece for _, pieces in sections for piece in pieces]),
        sections=[SectionScore(name, score(pieces)) for name, pieces in sections],
    )


def readability_report(page, target):
    """What the editor's readability preview shows: the whole page's score and each
    section's, each with whether it reads above the clinic's target."""
    readability = page_readability(page)
    return {
        "target": target,
        "page": readability.page,
        "page_above_target": readability.page.above(target),
        "sections": [
            {
                "name": section.name,
                "score": section.score,
                "above_target": section.score.above(target),
            }
            for section in readability.sections
        ],
    }


def smog_target(request):
    """The highest SMOG grade the clinic wants its pages to read at (its settings)."""
    return ClinicSettings.for_request(request).smog_target


def page_smog(page):
    """The whole page's SMOG grade (None for a page with no text)."""
    body = page.body
    return score([*_pieces(page.summary), *block_text(body.stream_block, body)]).smog
