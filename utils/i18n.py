"""The language of what the course's helpers print at run time: English, or Chinese (中文).

The Chinese notebooks (``solutions/zh/``, ``chapters/zh/``) call ``utils.setup(..., lang="zh")``;
from then on the messages of ``utils`` that are written as ``_("…")`` — the checks' ✅/❌ lines,
the data layer's errors, the setup banner — come from the compiled gettext catalogue
``utils/locale/zh/LC_MESSAGES/utils.mo``, with the English text as the fallback for anything
not translated yet. Code, comments and ordinary ``print`` output stay English.

The catalogue's source is ``translations/zh/utils.po`` (edit it with any PO editor: Poedit,
Weblate, a text editor). ``make student`` extracts the messages from ``utils/`` into it (Babel)
and compiles it; ``tests/test_translations.py`` fails when a message has no translation.

Writing a translatable message: the argument of ``_`` must be a plain string literal (so that
Babel can extract it); put the variable parts in with ``str.format`` afterwards::

    raise Fail(_("{name} must return a NumPy array, got {kind}.").format(name=name, kind=kind))
"""

from __future__ import annotations

import gettext
from pathlib import Path

LANGUAGES = ("en", "zh")
"""The languages the course speaks; the first is the source language."""

DOMAIN = "utils"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_translations: dict[str, gettext.NullTranslations] = {}
_current = "en"


def check_language(lang: object) -> str:
    """Return ``lang`` if it is one of :data:`LANGUAGES`, else raise a clear error."""
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(map(repr, LANGUAGES))}, got {lang!r}: "
                         'use lang="en" for English or lang="zh" for Chinese (中文).')
    return lang


def _catalogue(lang: str) -> gettext.NullTranslations:
    if lang not in _translations:
        _translations[lang] = (gettext.NullTranslations() if lang == LANGUAGES[0] else
                               gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True))
    return _translations[lang]


def set_language(lang: str) -> None:
    """Make ``lang`` the language of every later message (``utils.setup(lang=…)`` calls this)."""
    global _current
    _current = check_language(lang)


def language() -> str:
    """The language messages are printed in now."""
    return _current


def _(message: str) -> str:
    """``message`` in the current language (itself when it has no translation)."""
    return _catalogue(_current).gettext(message) if _current != LANGUAGES[0] else message


def reload() -> None:
    """Forget the loaded catalogues (after ``make student`` compiled a new one)."""
    _translations.clear()
