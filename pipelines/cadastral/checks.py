"""Quality checks of one cadastral layer (counts, examples, warnings) for the quality report."""

from __future__ import annotations

from dataclasses import dataclass, field

#: examples shown per failed check
EXAMPLES = 5


@dataclass
class Checks:
    """Quality checks of one layer, for ``report.checks`` and ``report.warnings``."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, count: int, examples: list[str] | None = None,
            message: str = "") -> None:
        """Count a check result; a non-zero count with a message becomes a warning."""
        self.counts[name] = self.counts.get(name, 0) + count
        if count and message:
            self.messages[name] = message
            shown = self.examples.setdefault(name, [])
            shown.extend(e for e in (examples or [])[:EXAMPLES] if len(shown) < EXAMPLES)

    @property
    def warnings(self) -> list[str]:
        """One line per failed check (with examples), then free-text notes."""
        out = []
        for name, message in self.messages.items():
            shown = self.examples.get(name)
            suffix = f" (e.g. {', '.join(shown)})" if shown else ""
            out.append(f"{self.counts[name]} {message}{suffix}")
        return out + self.notes
