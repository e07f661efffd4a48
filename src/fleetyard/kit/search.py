"""Free-text search helpers."""

from __future__ import annotations


def contains_pattern(text: str) -> str:
    """``q`` → an ILIKE pattern that matches it anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"
