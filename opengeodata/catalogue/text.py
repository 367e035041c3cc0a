"""Text folding for search: case-insensitive, German umlauts equal their ae/oe/ue spellings."""

from __future__ import annotations

import re
import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_WORD_SPLIT = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold ``text`` for matching: lower case, ä->ae, ö->oe, ü->ue, ß->ss, accents stripped.

    Both spellings fold to the same string, so "Straße", "STRASSE" and "strasse" match each
    other, as do "Grünflächen" and "Gruenflaechen".
    """
    lowered = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def parse_query(q: str) -> list[list[str]]:
    """Split a ``q`` value into alternatives (comma-separated) of words that must all match.

    ``"baum kataster, bäume"`` -> ``[["baum", "kataster"], ["baeume"]]``: a record matches if
    every word of at least one alternative occurs in its text.
    """
    groups = []
    for part in q.split(","):
        words = [fold(w) for w in _WORD_SPLIT.split(part.strip()) if w]
        if words:
            groups.append(words)
    return groups
