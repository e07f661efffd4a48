"""Why the demo cannot go on: one line for the terminal, exit code 1."""

from __future__ import annotations


class DemoFailed(Exception):
    pass
