"""What the check catalogues (``tests/test_checks_chNN.py``) share: the student's untouched stub
and the reading of the one ✅/❌ line a check prints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def stub(*_: Any) -> Any:
    """The student notebook's exercise as handed out."""
    raise NotImplementedError()


def verdict(capsys: Any) -> str:
    """The one ✅/❌ line the last check printed (and nothing else)."""
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("✅", "❌"))]
    assert len(lines) == 1, lines
    return lines[0]


def named_verdict(check: Callable[[Any], bool], answer: Any, capsys: Any,
                  notebook_names: dict[str, str]) -> tuple[bool, str]:
    """Run ``check(answer)``; return (passed, the one verdict line), and assert that the line names
    the notebook's function: a lambda's by the notebook's name, a ``def``'s by its own."""
    passed = check(answer)
    line = verdict(capsys)
    name = answer.__name__ if answer.__name__ != "<lambda>" else notebook_names[check.__name__]
    assert line.startswith(("✅ " if passed else "❌ ") + name + ":"), line
    return passed, line
