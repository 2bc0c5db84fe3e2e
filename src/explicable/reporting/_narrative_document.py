"""A short document in sections (a notice, a summary) that renders as plain text or as an HTML fragment."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

__all__ = ["Document", "Section"]


@dataclass(frozen=True)
class Section:
    """One section: a heading (None for a letter's opening), paragraphs, a list, then closing paragraphs."""

    heading: str | None
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    ordered: bool = True
    closing: tuple[str, ...] = ()

    def text(self) -> str:
        """The section as plain text: heading underlined, numbered or dashed list items."""
        blocks = [] if self.heading is None else [f"{self.heading}\n{'-' * len(self.heading)}"]
        blocks += list(self.paragraphs)
        if self.items:
            marks = [f"{i}." if self.ordered else "-" for i in range(1, len(self.items) + 1)]
            blocks.append("\n".join(f"{m} {item}" for m, item in zip(marks, self.items, strict=True)))
        blocks += list(self.closing)
        return "\n\n".join(blocks)

    def to_html(self) -> str:
        """The section as an HTML ``<section>``; every text escaped."""
        parts = [] if self.heading is None else [f"<h2>{html.escape(self.heading)}</h2>"]
        parts += [f"<p>{html.escape(p)}</p>" for p in self.paragraphs]
        if self.items:
            tag = "ol" if self.ordered else "ul"
            parts.append(f"<{tag}>" + "".join(f"<li>{html.escape(i)}</li>" for i in self.items) + f"</{tag}>")
        parts += [f"<p>{html.escape(p)}</p>" for p in self.closing]
        return "<section>" + "".join(parts) + "</section>"


@dataclass(frozen=True)
class Document:
    """A titled sequence of :class:`Section`; ``text`` for mail or a terminal, ``to_html()`` for a report.

    Examples
    --------
    >>> doc = Document("Summary", (Section("Scope", ("It scores loans.",)),))
    >>> print(doc.text)
    Summary
    =======
    <BLANKLINE>
    Scope
    -----
    <BLANKLINE>
    It scores loans.
    """

    title: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """The document as plain text."""
        head = f"{self.title}\n{'=' * len(self.title)}"
        return "\n\n".join([head, *(s.text() for s in self.sections)])

    def section(self, heading: str) -> Section:
        """The section with this heading (KeyError if there is none)."""
        for s in self.sections:
            if s.heading == heading:
                return s
        raise KeyError(heading)

    def to_html(self) -> str:
        """A self-contained HTML fragment (no scripts, styles or links): ``<article>`` with ``<h1>`` and sections."""
        body = "".join(s.to_html() for s in self.sections)
        return f'<article class="explicable-narrative"><h1>{html.escape(self.title)}</h1>{body}</article>'

    def __str__(self) -> str:
        return self.text
