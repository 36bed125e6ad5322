"""Text hygiene shared by every reader: what spreadsheets do to labels, undone once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Curly quotes and look-alike dashes arrive from Word and Excel autocorrect.
PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
}
_PUNCTUATION = str.maketrans(PUNCTUATION)
_SPACES = re.compile(r"\s+")
_HEADER_SEPARATORS = re.compile(r"[^0-9a-z]+")


def clean_text(value: str | None) -> str | None:
    """NFKC, straight quotes, one space between words, trimmed; blank becomes None.

    NFKC also turns non-breaking spaces into plain ones, so `\\s+` then catches them.
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value).translate(_PUNCTUATION)
    text = _SPACES.sub(" ", text).strip()
    return text or None


def normalise_header(value: str) -> str:
    """`Participant ID ` -> `participant_id`; a leading underscore (Kobo's `_uuid`) is kept."""
    text = clean_text(value) or ""
    lowered = text.casefold()
    body = _HEADER_SEPARATORS.sub("_", lowered).strip("_")
    return ("_" + body) if lowered.startswith("_") else body


def one_of(labels: Iterable[str]) -> str:
    """`A`, `A or B`, `A, B or C`: what a message says was expected."""
    words = list(labels)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"
