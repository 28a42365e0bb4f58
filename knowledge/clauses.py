"""Split the policy document into clauses a customer would want quoted.

The policy is the archived Jessops page turned into Markdown, so its structure is
informal: ``##`` sections, italic lines (``_Order_``) as sub-headings, one bold-italic
group heading (``**_Cookies_**``) and two cookie tables whose cells run over several
paragraphs. This module turns that into a flat list of :class:`Clause` objects, each
with its heading path and an id that stays the same when the index is rebuilt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

PATH_SEPARATOR = " › "
INTRO_SECTION = "Introduction"

_ARCHIVE_DATE = re.compile(r"archived on (\d{4}-\d{2}-\d{2})")
_SECTION = re.compile(r"^##\s+(.+?)\s*$")
_TITLE = re.compile(r"^#\s+(.+?)\s*$")
_GROUP = re.compile(r"^\*\*_(.+?)_\*\*\s*$")
_SUBHEADING = re.compile(r"^_([^_].*?)_\s*$")
_ROW_LABEL = re.compile(r"^\*\*(.+?)\*\*\s*$")
_TABLE_RULE = re.compile(r"^-{3,}\|-{3,}\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_BOLD = re.compile(r"\*\*")
# Navigation, not policy: the page's "Back to top" links and a pointer to a later section.
_NOISE = re.compile(r"^(Back to top|More details of this can be found .*)$")
# A numbered list ("1\\. What personally identifiable information...") on its own is a
# table of contents: it is folded into the paragraph that introduces it.
_LIST_ITEM = re.compile(r"^\s*\d+\\?\.\s")
# A one-sentence paragraph just before a table ("This is a list of the main cookies we
# use...") introduces the table: it is quoted with the names of the table's rows.
_TABLE_INTRO_MAX_CHARS = 120


@dataclass(frozen=True)
class Clause:
    """One quotable unit of the policy.

    ``text`` is the policy's own words (Markdown links reduced to their text), which
    is what the customer is shown. ``keywords`` holds extra words that help a search
    find the clause (cookie names, the table a row belongs to) and is never shown.
    """

    id: str
    section: str
    text: str
    keywords: tuple[str, ...] = field(default=())
    # Ids of parts folded into this clause (a table of contents, a table's introduction):
    # they are no longer clauses of their own, and questions labelled with them are
    # answered by this one.
    folded: tuple[str, ...] = field(default=())

    @property
    def search_text(self) -> str:
        """Text used for retrieval: heading path, keywords and the clause itself."""
        return " ".join([self.section, *self.keywords, self.text])


@dataclass(frozen=True)
class Policy:
    """A parsed policy: its clauses and the date the archived copy was taken."""

    clauses: tuple[Clause, ...]
    archived_on: str | None


def is_table_of_contents(sentence: str) -> bool:
    """A folded table of contents ("1. What personally identifiable information Jessops
    collects. 2. ...") names every topic of the policy and answers none of them."""
    return bool(_LIST_ITEM.match(sentence))  # folded, it is one "sentence" of numbered items


def slugify(text: str) -> str:
    """Lower-case, ASCII-only, dash-separated form of a heading, for ids."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "clause"


def clean_inline(text: str) -> str:
    """Strip Markdown decoration so the text reads as the customer saw the page."""
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = text.replace("\\.", ".")
    text = _BOLD.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


class _Builder:
    """Accumulates clauses while the parser walks the document line by line."""

    def __init__(self) -> None:
        self.clauses: list[Clause] = []
        self.section = INTRO_SECTION
        self.group: str | None = None
        self.subheading: str | None = None
        self._ordinal: dict[str, int] = {}

    @property
    def path(self) -> str:
        parts = [self.section, self.group, self.subheading]
        return PATH_SEPARATOR.join(p for p in parts if p)

    def enter_section(self, title: str) -> None:
        self.section, self.group, self.subheading = title, None, None

    def enter_group(self, title: str) -> None:
        self.group, self.subheading = title, None

    def enter_subheading(self, title: str) -> None:
        """An italic sub-heading stays inside the current group only while it names it.

        ``_Our cookies_`` belongs under ``**_Cookies_**``; ``_Log Files_`` does not.
        """
        if self.group and self.group.lower().rstrip("s") not in title.lower():
            self.group = None
        self.subheading = title

    def add(self, text: str, *, key: str | None = None, keywords: tuple[str, ...] = ()) -> None:
        lines = [line for line in text.splitlines() if line.strip()]
        is_list = len(lines) > 1 and all(_LIST_ITEM.match(line) for line in lines)
        text = clean_inline(text)
        if not text or _NOISE.match(text):
            return
        anchor = slugify(self.subheading or self.group or self.section)
        if key is None:
            self._ordinal[anchor] = self._ordinal.get(anchor, 0) + 1
            clause_id = f"{anchor}-{self._ordinal[anchor]}"
        else:
            clause_id = f"{anchor}-{slugify(key)}"
        previous = self.clauses[-1] if self.clauses else None
        if is_list and previous and previous.section == self.path and not previous.keywords:
            # The id is used up all the same, so the clauses after keep theirs.
            self.clauses[-1] = replace(
                previous, text=f"{previous.text} {text}", folded=(*previous.folded, clause_id)
            )
            return
        self.clauses.append(Clause(clause_id, self.path, text, keywords))

    def introduce_table(self, intro: int, rows: int) -> None:
        """Quote a table's one-sentence introduction with the names of the table's rows
        (clauses ``rows`` onwards), so "which cookies do you use?" gets the list."""
        clause = self.clauses[intro]
        if len(clause.text) > _TABLE_INTRO_MAX_CHARS or len(self.clauses) <= rows:
            return
        names = "; ".join(c.text.split(": ", 1)[0] for c in self.clauses[rows:])
        self.clauses[intro] = replace(clause, text=f"{clause.text} {names}.")


def _paragraphs(lines: list[str]) -> list[list[str]]:
    """Group lines into paragraphs; a line of only spaces also ends a paragraph."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _parse_table(lines: list[str], start: int, builder: _Builder) -> int:
    """Parse a two-column cookie table beginning after its ``---|---`` rule.

    A row is an optional bold label line, then ``names | purpose``. The purpose may run
    on over empty lines; a line holding only spaces closes the row. The table ends at
    the first line after a closed row that is neither a label nor a row.
    Returns the index of the first line after the table.
    """
    i = start
    while i < len(lines):
        label = None
        match = _ROW_LABEL.match(lines[i])
        if match and i + 1 < len(lines) and "|" in lines[i + 1]:
            label = clean_inline(match.group(1))
            i += 1
        if "|" not in lines[i]:
            return i
        names, purpose = (part.strip() for part in lines[i].split("|", 1))
        cell = [purpose]
        i += 1
        while i < len(lines) and "|" not in lines[i] and not _ROW_LABEL.match(lines[i]):
            if lines[i] and not lines[i].strip():
                i += 1
                break
            if lines[i].strip():
                cell.append("\n" + lines[i])
            i += 1
        names = clean_inline(names).strip("()")
        title = f"{label} ({names})" if label else names
        text = f"{title}: " + " ".join(cell)
        keywords = tuple(k for k in (label, names) if k)
        builder.add(text, key=label or names, keywords=keywords)
    return i


def parse_policy(markdown: str) -> Policy:
    """Turn the policy Markdown into clauses with heading paths and stable ids."""
    lines = markdown.splitlines()
    archived_on = None
    builder = _Builder()
    body: list[str] = []

    def flush() -> None:
        for paragraph in _paragraphs(body):
            builder.add("\n".join(paragraph))
        body.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(">"):
            found = _ARCHIVE_DATE.search(stripped)
            archived_on = found.group(1) if found else archived_on
        elif _TITLE.match(stripped):
            flush()
        elif section := _SECTION.match(stripped):
            flush()
            builder.enter_section(section.group(1))
        elif group := _GROUP.match(stripped):
            flush()
            builder.enter_group(group.group(1))
        elif sub := _SUBHEADING.match(stripped):
            flush()
            builder.enter_subheading(sub.group(1))
        elif _TABLE_RULE.match(stripped):
            body.pop()  # the header row ("Cookie name | Cookie purpose")
            intro = bool(_paragraphs(body))
            flush()
            rows = len(builder.clauses)
            i = _parse_table(lines, i + 1, builder)
            if intro:
                builder.introduce_table(rows - 1, rows)
            continue
        else:
            body.append(line)
        i += 1
    flush()
    return Policy(tuple(builder.clauses), archived_on)


def load_policy(path: Path) -> Policy:
    """Read and parse the policy file at ``path``."""
    return parse_policy(path.read_text(encoding="utf-8"))
