"""The Chinese edition of the notebooks, generated from the English ones and gettext catalogues.

The English solution notebooks stay the single source of code. Each chapter's translation is a
gettext PO catalogue, ``translations/zh/NN_topic.po``, one entry per markdown cell:

* ``msgctxt`` is the cell's id (stable when cells move), ``msgid`` the English cell, ``msgstr``
  its Chinese translation;
* a full-mode number quoted in the prose (``0.883<!-- full:ch03_best_imdb_test_accuracy -->``,
  see ``benchmarks/quotes.py``) appears in both as the placeholder
  ``{full:ch03_best_imdb_test_accuracy}``, and the generator puts the English cell's number back
  in, so both editions quote the same measured number and a new bench run does not make a
  translation stale.

``make student`` (:func:`utils.student.main`) first merges each catalogue with the current
English text, as gettext's ``msgmerge`` does: a new cell gets an empty entry, a changed cell keeps
its old translation marked *fuzzy* with the English it was made for (``#| msgid``), a deleted
cell's entry becomes obsolete (``#~``). It then writes ``solutions/zh/`` (markdown from the
catalogue, code cells identical to the English ones except that the setup call says
``lang="zh"``) and ``chapters/zh/`` (their student version). An untranslated or fuzzy cell
stays English in the generated notebook, and :func:`problems` (run by
``tests/test_translations.py``) names it. Edit the ``.po`` files with Poedit, Weblate or any
text editor. polib reads and writes them here (it keeps a fuzzy entry's old English, which
Babel's PO writer mangles for multi-line cells); Babel extracts the run-time messages.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Iterable
from pathlib import Path

import nbformat
import polib

from .colab import BADGE_IMAGE, badge
from .config import REPO_ROOT

TRANSLATIONS = REPO_ROOT / "translations"
EDITIONS = ("zh",)
"""The languages the notebooks are translated into (``translations/<lang>/``)."""

#: a quoted full-mode number, as ``benchmarks/quotes.py`` writes it
QUOTE = re.compile(r"-?\d+(?:\.\d+)?(?:\s?%)?\s*<!--\s*full:(?P<name>\w+)\s*-->")
PLACEHOLDER = re.compile(r"\{full:(?P<name>\w+)\}")
PLACEHOLDER_ANY = re.compile(r"\{\w*(?:![rsa])?(?::[^{}]*)?\}")
SETUP = "utils.setup"
FIXED_DATE = "2026-12-01 00:00+0000"
"""The catalogues' header dates: fixed, so that a file changes only when its entries do."""


# ----------------------------------------------------------------------------- the English side

def english_text(source: str) -> str:
    """A markdown cell's text as the catalogue keeps it: quoted numbers become placeholders, and
    the title cell's "Open in Colab" badge is left out (each edition gets its own, see :func:`translate`)."""
    lines = [line for line in source.split("\n") if BADGE_IMAGE not in line]
    return QUOTE.sub(lambda m: "{full:" + m["name"] + "}", "\n".join(lines).strip("\n"))


def cells_to_translate(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """``(cell id, English text)`` of every non-empty markdown cell, in order.

    Raises:
        ValueError: a markdown cell without an id, or two cells with the same id (ids are what
            ties a translation to its cell; ``nbformat.validator.normalize`` adds missing ones).
    """
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        cell_id = cell.get("id")
        if not cell_id:
            raise ValueError(f"markdown cell {index} has no id: save the notebook with nbformat ≥ 5.1 "
                             "(cells need ids to be matched with their translations)")
        if cell_id in seen:
            raise ValueError(f"two cells share the id {cell_id!r}: give one of them a new id")
        seen.add(cell_id)
        out.append((cell_id, english_text(cell.source)))
    return out


def localize_code(source: str, lang: str) -> str:
    """``source`` with ``lang="<lang>"`` added to its ``utils.setup(...)`` call, if it has one.

    Raises:
        ValueError: the call already passes ``lang``, or the cell cannot be parsed.
    """
    if SETUP + "(" not in source:
        return source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"cannot parse the cell with the {SETUP}(...) call: {exc}") from exc
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and ast.unparse(node.func) == SETUP]
    if not calls:
        return source
    if len(calls) > 1:
        raise ValueError(f"a cell calls {SETUP}(...) {len(calls)} times; call it once")
    call = calls[0]
    if any(k.arg == "lang" for k in call.keywords):
        raise ValueError(f"the English notebook's {SETUP}(...) must not pass lang=; the generator adds it")
    lines = source.split("\n")
    arguments = [*call.args, *(k.value for k in call.keywords)]
    if arguments:  # right after the last argument (before any trailing comma)
        last = max(arguments, key=lambda node: (node.end_lineno, node.end_col_offset))
        row, col, text = last.end_lineno - 1, last.end_col_offset, ', lang="{lang}"'
    else:  # inside the empty parentheses
        row, col, text = call.end_lineno - 1, call.end_col_offset - 1, 'lang="{lang}"'
    raw = lines[row].encode("utf-8")  # ast's column offsets count bytes
    lines[row] = (raw[:col] + text.format(lang=lang).encode("utf-8") + raw[col:]).decode("utf-8")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- catalogues

def catalogue_path(name: str, lang: str = "zh", root: Path | None = None) -> Path:
    """Where the catalogue of notebook ``name`` (``NN_topic.ipynb`` or its stem) lives."""
    return (root or TRANSLATIONS) / lang / (Path(name).stem + ".po")


def read_catalogue(path: Path) -> polib.POFile:
    """The catalogue in ``path``.

    Raises:
        ValueError: the file is not a valid PO file (the message names it).
    """
    try:
        return polib.pofile(str(path), wrapwidth=0, encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable PO catalogue: {exc}") from exc


def render_catalogue(catalog: polib.POFile) -> str:
    """The PO text of ``catalog`` exactly as it is written to disk (no line wrapping, so a
    cell's lines stay its lines; a fuzzy entry keeps the English it was made for as ``#| msgid``)."""
    catalog.wrapwidth = 0
    return str(catalog).rstrip("\n") + "\n"


def new_catalogue(name: str, lang: str = "zh") -> polib.POFile:
    """An empty catalogue for notebook ``name`` (or the run-time messages, ``utils``)."""
    catalog = polib.POFile(wrapwidth=0)
    catalog.header = (f"{lang} translation of the course's {Path(name).stem}.\n"
                      "Edit it with Poedit, Weblate or a text editor; `make student` merges it with the English "
                      "text (see utils/translate.py).")
    catalog.metadata = {
        "Project-Id-Version": "seqdl-course",
        "POT-Creation-Date": FIXED_DATE,
        "PO-Revision-Date": FIXED_DATE,
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    return catalog


def _empty_like(old: polib.POFile | None, name: str, lang: str) -> polib.POFile:
    new = new_catalogue(name, lang)
    if old is not None:
        new.header, new.metadata = old.header, dict(old.metadata)
    return new


def _current(catalog: polib.POFile | None) -> list[polib.POEntry]:
    return [e for e in (catalog or []) if e.msgid and not e.obsolete]


def merge(old: polib.POFile | None, cells: Iterable[tuple[str, str]], name: str, lang: str = "zh") -> polib.POFile:
    """The catalogue for ``cells`` (``(id, English text)``), keeping ``old``'s translations.

    As ``msgmerge`` does: an unchanged cell keeps its entry; a changed cell keeps its old
    translation, marked fuzzy, with the English text it was made for as ``previous_msgid``; a
    new cell gets an empty entry; the entry of a cell that is gone becomes obsolete if it had a
    translation. ``old`` is not changed."""
    new = _empty_like(old, name, lang)
    by_context = {e.msgctxt: e for e in _current(old) if e.msgctxt}
    wanted = set()
    for cell_id, text in cells:
        wanted.add(cell_id)
        prev = by_context.get(cell_id)
        if prev is None or not prev.msgstr:
            new.append(polib.POEntry(msgctxt=cell_id, msgid=text, msgstr=""))
        elif prev.msgid == text:
            new.append(copy.deepcopy(prev))
        else:  # the English changed: keep the translation for the translator, flagged
            made_for = prev.previous_msgid if prev.fuzzy and prev.previous_msgid else prev.msgid
            new.append(polib.POEntry(msgctxt=cell_id, msgid=text, msgstr=prev.msgstr, flags=["fuzzy"],
                                     previous_msgid=made_for))
    for cell_id, prev in by_context.items():
        if cell_id not in wanted and prev.msgstr:
            gone = copy.deepcopy(prev)
            gone.obsolete = True
            new.append(gone)
    new.extend(copy.deepcopy(e) for e in (old or []) if e.obsolete)
    return new


# ----------------------------------------------------------------------------- what is wrong

def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= 70 else line[:70] + "…"


def problems(nb: nbformat.NotebookNode, catalog: polib.POFile, name: str) -> list[str]:
    """Every way the catalogue fails the English notebook, one line each, naming the cell."""
    cells = cells_to_translate(nb)
    index = {cell_id: i for i, cell_id in enumerate(c.get("id") for c in nb.cells)}
    where = f"translations/{catalog.metadata.get('Language', 'zh')}/{Path(name).stem}.po"
    out: list[str] = []
    by_context = {e.msgctxt: e for e in _current(catalog)}
    for cell_id, text in cells:
        cell = f"{name} cell {index[cell_id]} (id {cell_id}, {_first_line(text)!r})"
        entry = by_context.get(cell_id)
        if entry is None:
            out.append(f"{cell}: no entry in {where}: run `make student`, then translate it")
        elif entry.msgid != text:
            out.append(f"{cell}: its entry in {where} is for another English text: run `make student`")
        elif not entry.msgstr:
            out.append(f"{cell}: not translated in {where}")
        elif entry.fuzzy:
            out.append(f"{cell}: the translation in {where} was made for an older text of this cell "
                       "(fuzzy; the old English is the `#| msgid`): update it and remove the fuzzy flag")
        else:
            missing = set(PLACEHOLDER.findall(text)) - set(PLACEHOLDER.findall(entry.msgstr))
            extra = set(PLACEHOLDER.findall(entry.msgstr)) - set(PLACEHOLDER.findall(text))
            if missing or extra:
                out.append(f"{cell}: the translation must quote the same numbers as the English: "
                           f"missing {sorted(missing)}, unknown {sorted(extra)}")
            out.extend(f"{cell}: {problem}" for problem in structure_problems(text, entry.msgstr))
    wanted = {cell_id for cell_id, _ in cells}
    for cell_id, entry in by_context.items():
        if cell_id not in wanted:
            out.append(f"{where}: entry {cell_id!r} ({_first_line(entry.msgid)!r}) has no English cell any more: "
                       "run `make student`")
    for entry in catalog.obsolete_entries():
        out.append(f"{where}: obsolete translation of a deleted cell ({entry.msgctxt!r}, "
                   f"{_first_line(entry.msgid)!r}): reuse it where the text went, then delete the `#~` entry")
    return out


_FENCE = re.compile(r"```.*?```", re.S)
_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^(#+) ", re.M)


def markdown_structure(text: str) -> dict[str, list[str] | list[int] | int]:
    """What a translation must keep of a markdown cell: its code blocks and inline code, its math,
    its HTML comments, its link targets, its heading levels in order, its number of table rows and
    of ⏱ warnings. (Code, formulas and links are the same in every edition; the rest is layout.)"""
    rest = _FENCE.sub("", text)
    return {
        "code blocks": sorted(_FENCE.findall(text)),
        "inline code": sorted(m[0] for m in _CODE.finditer(rest)),
        "formulas": sorted(_MATH.findall(_CODE.sub("", rest))),
        "HTML comments": sorted(_COMMENT.findall(text)),
        "link targets": sorted(_LINK.findall(text)),
        "heading levels": [len(m) for m in _HEADING.findall(text)],
        "table rows": sum(1 for line in text.splitlines() if line.strip().startswith("|")),
        "⏱ warnings": text.count("⏱"),
    }


def structure_problems(english: str, translation: str) -> list[str]:
    """How ``translation`` fails to keep the structure of ``english`` (:func:`markdown_structure`),
    one line per kind, saying what is missing and what is extra."""
    want, got = markdown_structure(english), markdown_structure(translation)
    out = []
    for kind, a in want.items():
        b = got[kind]
        if a == b:
            continue
        if kind == "heading levels" or not isinstance(a, list):
            out.append(f"{kind}: the English has {a}, the translation {b}")
        else:
            missing = [x for x in a if x not in b or a.count(x) > b.count(x)]
            extra = [x for x in b if x not in a or b.count(x) > a.count(x)]
            out.append(f"{kind} differ from the English: missing {sorted(set(missing))}, extra {sorted(set(extra))}")
    return out


# ----------------------------------------------------------------------------- the edition

def translate(nb: nbformat.NotebookNode, catalog: polib.POFile, lang: str = "zh",
              name: str | None = None) -> nbformat.NotebookNode:
    """The ``lang`` edition of a solution notebook: translated markdown (English where the
    catalogue has no current translation), code cells localised by :func:`localize_code`, and
    in the title cell an "Open in Colab" badge for the edition's student notebook
    (``chapters/<lang>/<name>``) when ``name`` is given. The input is not changed."""
    out = copy.deepcopy(nb)
    by_context = {e.msgctxt: e for e in _current(catalog)}
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.source = localize_code(cell.source, lang)
        elif cell.cell_type == "markdown" and cell.source.strip():
            entry = by_context.get(cell.get("id"))
            if entry is None or not entry.msgstr or entry.fuzzy or entry.msgid != english_text(cell.source):
                continue
            had_badge = BADGE_IMAGE in cell.source
            cell.source = fill_numbers(entry.msgstr, cell.source)
            if had_badge and name:
                cell.source = f"{cell.source.rstrip()}\n\n{badge(f'{lang}/{name}')}"
    out.metadata.setdefault("language_info", {"name": "python"})
    return out


def fill_numbers(translation: str, english: str) -> str:
    """``translation`` with each ``{full:name}`` placeholder replaced by the number the English
    cell quotes for ``name`` (with its tag), so both editions say the same measured number."""
    numbers = {m["name"]: m[0] for m in QUOTE.finditer(english)}
    return PLACEHOLDER.sub(lambda m: numbers.get(m["name"], m[0]), translation)


def code_differences(english: nbformat.NotebookNode, edition: nbformat.NotebookNode, lang: str = "zh") -> list[str]:
    """Where ``edition``'s cells differ from the English notebook's beyond the language switch
    (cell count, order, types, ids and every code cell's source)."""
    out: list[str] = []
    if len(english.cells) != len(edition.cells):
        return [f"{len(edition.cells)} cells, the English notebook has {len(english.cells)}"]
    for i, (a, b) in enumerate(zip(english.cells, edition.cells, strict=True)):
        if a.cell_type != b.cell_type or a.get("id") != b.get("id"):
            out.append(f"cell {i}: {b.cell_type} {b.get('id')!r}, the English one is {a.cell_type} {a.get('id')!r}")
        elif a.cell_type == "code" and localize_code(a.source, lang) != b.source:
            out.append(f"cell {i} (id {a.get('id')}): code differs from the English notebook's")
    return out


# ----------------------------------------------------------------------------- what `make student` writes

RUNTIME_DOMAIN = "utils"


def runtime_messages() -> list[tuple[str, list[str]]]:
    """The messages of ``utils`` written as ``_("…")`` (Babel's extractor), with their flags
    (``python-brace-format`` for those with ``{placeholders}``), in order of appearance."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, list[str]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            REPO_ROOT / "utils", method_map=[("**.py", "python")], keywords={"_": None}):
        found.setdefault(message, ["python-brace-format"] if PLACEHOLDER_ANY.search(message) else [])
    return list(found.items())


def runtime_catalogue(lang: str = "zh", root: Path | None = None) -> tuple[str, bytes]:
    """The merged PO text of ``translations/<lang>/utils.po`` and its compiled ``.mo`` bytes.

    A message whose English changed keeps the translation of the most similar vanished message,
    fuzzy (not used until a translator confirms it); vanished translations become obsolete."""
    import difflib
    import tempfile

    path = (root or TRANSLATIONS) / lang / f"{RUNTIME_DOMAIN}.po"
    old = read_catalogue(path) if path.is_file() else None
    new = _empty_like(old, RUNTIME_DOMAIN, lang)
    previous = {e.msgid: e for e in _current(old)}
    messages = runtime_messages()
    vanished = {m: e for m, e in previous.items() if e.msgstr and m not in dict(messages)}
    for message, flags in messages:
        entry = previous.get(message)
        if entry is not None:
            new.append(copy.deepcopy(entry))
            continue
        close = difflib.get_close_matches(message, list(vanished), n=1, cutoff=0.8)
        if close:
            like = vanished.pop(close[0])
            new.append(polib.POEntry(msgid=message, msgstr=like.msgstr, flags=[*flags, "fuzzy"],
                                     previous_msgid=like.msgid))
        else:
            new.append(polib.POEntry(msgid=message, msgstr="", flags=flags))
    for entry in vanished.values():
        gone = copy.deepcopy(entry)
        gone.obsolete = True
        new.append(gone)
    new.extend(copy.deepcopy(e) for e in (old or []) if e.obsolete)
    text = render_catalogue(new)
    with tempfile.TemporaryDirectory() as tmp:
        mo = Path(tmp) / "utils.mo"
        polib.pofile(text, wrapwidth=0).save_as_mofile(str(mo))  # translated, non-fuzzy entries only
        return text, mo.read_bytes()


def editions(marked: dict[str, str], root: Path | None = None) -> dict[Path, str | bytes]:
    """Every file the translations generate, path relative to the repository → content:
    for each solution notebook that has a catalogue, the merged catalogue, ``solutions/<lang>/``
    and ``chapters/<lang>/``; and the runtime catalogue with its compiled ``.mo``.
    ``marked`` maps notebook names to the solution text with nbgrader metadata."""
    from .student import make_student, render

    root = root or TRANSLATIONS
    out: dict[Path, str | bytes] = {}
    for lang in EDITIONS:
        for name, text in sorted(marked.items()):
            path = catalogue_path(name, lang, root)
            if not path.is_file():
                continue
            nb = nbformat.reads(text, as_version=4)
            catalog = merge(read_catalogue(path), cells_to_translate(nb), name, lang)
            out[path.relative_to(REPO_ROOT)] = render_catalogue(catalog)
            edition = translate(nb, catalog, lang, name)
            out[Path("solutions") / lang / name] = render(edition)
            out[Path("chapters") / lang / name] = render(make_student(edition, f"{lang}/{name}"))
        po, mo = runtime_catalogue(lang, root)
        out[(root / lang / f"{RUNTIME_DOMAIN}.po").relative_to(REPO_ROOT)] = po
        out[Path("utils") / "locale" / lang / "LC_MESSAGES" / f"{RUNTIME_DOMAIN}.mo"] = mo
    return out


def start(name: str, lang: str = "zh") -> Path:
    """Create the empty catalogue of notebook ``name`` (``make student`` then fills in its entries)."""
    path = catalogue_path(name, lang)
    if path.exists():
        raise FileExistsError(f"{path} exists already")
    if not (REPO_ROOT / "solutions" / (Path(name).stem + ".ipynb")).is_file():
        raise FileNotFoundError(f"no notebook solutions/{Path(name).stem}.ipynb to translate")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_catalogue(new_catalogue(name, lang)), encoding="utf-8")
    return path


def export_untranslated(name: str, lang: str = "zh", part: tuple[int, int] = (1, 1)) -> dict[str, str]:
    """``{cell id: English text}`` of the entries of notebook ``name``'s catalogue that need a
    translator (untranslated or fuzzy), in order; ``part=(i, n)`` is the i-th of n runs of roughly
    equal length, so that n translators can share a chapter."""
    catalog = read_catalogue(catalogue_path(name, lang))
    todo = [(e.msgctxt, e.msgid) for e in _current(catalog) if not e.msgstr or e.fuzzy]
    i, n = part
    if not 1 <= i <= n:
        raise ValueError(f"part {i}/{n}: expected 1 <= i <= n")
    total = sum(len(t) for _, t in todo) or 1
    out, done = {}, 0
    for cell_id, text in todo:
        if (i - 1) / n <= done / total < i / n:
            out[cell_id] = text
        done += len(text)
    return out


def translation_problems(english: str, translation: str) -> list[str]:
    """Why ``translation`` cannot stand for the catalogue text ``english``: its structure
    (:func:`structure_problems`) or its ``{full:…}`` placeholders differ."""
    found = structure_problems(english, translation)
    if set(PLACEHOLDER.findall(english)) != set(PLACEHOLDER.findall(translation)):
        found.append("the {full:…} placeholders differ from the English")
    return found


def import_translations(name: str, translations: dict[str, str], lang: str = "zh", write: bool = True) -> list[str]:
    """Put ``{cell id: translation}`` into notebook ``name``'s catalogue (clearing the fuzzy flag)
    when it keeps the English cell's structure and numbers; returns the problems of the entries it
    refused (the others are written, unless ``write`` is false: then nothing is)."""
    path = catalogue_path(name, lang)
    catalog = read_catalogue(path)
    by_context = {e.msgctxt: e for e in _current(catalog)}
    refused = []
    for cell_id, text in translations.items():
        entry = by_context.get(cell_id)
        if entry is None:
            refused.append(f"{cell_id}: no such entry in {path.name}: run `make student` first")
            continue
        found = translation_problems(entry.msgid, text)
        if found:
            refused.extend(f"{cell_id}: {p}" for p in found)
            continue
        entry.msgstr = text.strip("\n")
        if entry.fuzzy:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
    if write:
        path.write_text(render_catalogue(catalog), encoding="utf-8")
    return refused


def _replace_once(text: str, old: str, new: str, where: str) -> str:
    count = text.count(old)
    if count != 1:
        raise ValueError(f"{where}: {old!r} occurs {count} times; give a passage that occurs exactly once")
    return text.replace(old, new)


def paired_edit(name: str, english: dict[str, list[tuple[str, str]]], translated: dict[str, list[tuple[str, str]]],
                lang: str = "zh", root: Path | None = None) -> list[str]:
    """Edit cells of solution notebook ``name`` and their translations in one step, so that a
    prose fix never leaves a fuzzy entry behind.

    ``english`` maps a cell id to ``(old, new)`` replacements in that cell (each ``old`` must occur
    exactly once); ``translated`` does the same for the translation of every *markdown* cell named
    in ``english`` (``[]`` when the translation needs no change, e.g. only a number moved that a
    ``{full:…}`` placeholder carries). Code cells need no entry: editions copy the code. Nothing
    is written unless every edit applies and every edited translation keeps its English cell's
    structure and placeholders (:func:`translation_problems`). Returns the ids of the edited cells; run
    ``make student`` afterwards to regenerate the editions.

    Raises:
        ValueError: an unknown cell id, a replacement that does not occur exactly once, a markdown
            cell without its translation's edits, or a translation that breaks the structure.
    """
    root = root or REPO_ROOT
    nb_path = root / "solutions" / (Path(name).stem + ".ipynb")
    nb = nbformat.read(nb_path, as_version=4)
    cells = {cell.get("id"): cell for cell in nb.cells}
    po_path = catalogue_path(name, lang, root / "translations")
    catalog = read_catalogue(po_path)
    entries = {e.msgctxt: e for e in _current(catalog)}
    problems_found: list[str] = []
    for cell_id, pairs in english.items():
        if cell_id not in cells:
            raise ValueError(f"{nb_path.name} has no cell {cell_id!r}")
        cell = cells[cell_id]
        source = cell.source
        for old, new in pairs:
            source = _replace_once(source, old, new, f"{nb_path.name} cell {cell_id}")
        cell.source = source
        if cell.cell_type != "markdown":
            continue
        if cell_id not in translated:
            raise ValueError(f"cell {cell_id} is markdown: give the edits of its {lang} translation too ([] for none)")
        entry = entries.get(cell_id)
        if entry is None or not entry.msgstr:
            raise ValueError(f"cell {cell_id} has no {lang} translation in {po_path.name} to edit: "
                             "translate it with `export` / `import` instead")
        text = entry.msgstr
        for old, new in translated[cell_id]:
            text = _replace_once(text, old, new, f"{po_path.name} entry {cell_id}")
        entry.msgid, entry.msgstr = english_text(source), text
        if entry.fuzzy:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        problems_found += [f"{cell_id}: {p}" for p in translation_problems(entry.msgid, entry.msgstr)]
    if problems_found:
        raise ValueError("the translations would break their cells' structure, nothing written:\n"
                         + "\n".join(problems_found))
    nb_path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    po_path.write_text(render_catalogue(catalog), encoding="utf-8")
    return list(english)


# ----------------------------------------------------------------------------- the course glossary

GLOSSARY = REPO_ROOT / "GLOSSARY.md"
_EN_SEPARATORS = (", ", " / ", "; ")
_ZH_SEPARATORS = ("，", "；", " / ", "/")
_CJK = re.compile(r"[\u3400-\u9fff]")
_ROW = re.compile(r"^\|(?P<cells>.+)\|\s*$")


def split_terms(text: str, separators: tuple[str, ...]) -> list[str]:
    """``text`` split at ``separators`` outside parentheses (ASCII or full-width)."""
    out, depth, current, i = [], 0, "", 0
    while i < len(text):
        ch = text[i]
        depth += ch in "(（"
        depth -= ch in ")）"
        hit = next((s for s in separators if depth == 0 and text.startswith(s, i)), None)
        if hit:
            out.append(current.strip())
            current, i = "", i + len(hit)
            continue
        current, i = current + ch, i + 1
    out.append(current.strip())
    return [term for term in out if term]


def _table_rows(markdown: str) -> list[list[str]]:
    rows = []
    for line in markdown.splitlines():
        m = _ROW.match(line.strip())
        if m:
            cells = [c.strip() for c in m["cells"].split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                rows.append(cells)
    return rows[1:]  # without the header row


def read_glossary(path: Path = GLOSSARY) -> dict[str, str]:
    """English term → its Chinese rendering, from the course glossary (each English alias of a row
    maps to the row's Chinese term)."""
    out: dict[str, str] = {}
    for cells in _table_rows(path.read_text(encoding="utf-8")):
        for term in split_terms(cells[0], (", ",)):
            out[term] = cells[1]
    return out


def glossary_cell(nb: nbformat.NotebookNode) -> tuple[int, str] | None:
    """(index, table text) of the notebook's glossary section (a heading with "Glossary" or 术语表)."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        m = re.search(r"^#+ .*(Glossary|术语表).*$", cell.source, re.M)
        if m:
            rest = cell.source[m.end():]
            return index, re.split(r"^#+ ", rest, maxsplit=1, flags=re.M)[0]
    return None


def glossary_problems(nb: nbformat.NotebookNode, glossary: dict[str, str], where: str) -> list[str]:
    """How the notebook's glossary disagrees with the course glossary, one line per term."""
    found = glossary_cell(nb)
    if found is None:
        return [f"{where}: no glossary section (a heading with 'Glossary' or '术语表')"]
    index, table = found
    out, seen = [], {}
    for cells in _table_rows(table):
        if len(cells) < 2:
            continue
        en, zh = (cells[1], cells[0]) if _CJK.search(cells[0]) and not _CJK.search(cells[1]) else (cells[0], cells[1])
        en_terms, zh_terms = split_terms(en, _EN_SEPARATORS), split_terms(zh, _ZH_SEPARATORS)
        if len(en_terms) != len(zh_terms):
            out.append(f"{where} cell {index}: row {en!r} | {zh!r} lists {len(en_terms)} English and "
                       f"{len(zh_terms)} Chinese terms: give one Chinese term per English one, in the same order")
            continue
        for e, z in zip(en_terms, zh_terms, strict=True):
            if e in seen:
                out.append(f"{where} cell {index}: {e!r} appears twice in the glossary")
            seen[e] = z
            if e not in glossary:
                out.append(f"{where} cell {index}: {e!r} is not in GLOSSARY.md: add it there (with its Chinese), "
                           "or use a term that is")
            elif glossary[e] != z:
                out.append(f"{where} cell {index}: {e!r} is {glossary[e]!r} in GLOSSARY.md, the chapter says {z!r}")
    return out


if __name__ == "__main__":
    # python -m utils.translate 02_rnn_time_step           → creates translations/zh/02_rnn_time_step.po
    # python -m utils.translate export 02_rnn_time_step 1/2 → the first half of what needs translating, as JSON
    # python -m utils.translate import 02_rnn_time_step FILE.json → checks and writes {id: translation}
    # python -m utils.translate check 02_rnn_time_step FILE.json  → only checks
    # python -m utils.translate edit SPEC.py → paired English + translation edits (see paired_edit)
    import json
    import sys

    args = sys.argv[1:]
    if args[:1] == ["export"]:
        i, n = (int(x) for x in (args[2] if len(args) > 2 else "1/1").split("/"))
        print(json.dumps(export_untranslated(args[1], part=(i, n)), ensure_ascii=False, indent=1))
    elif args[:1] == ["edit"]:
        # python -m utils.translate edit SPEC.py: SPEC defines NB, EN = {id: [(old, new)]}, ZH = {id: [(old, new)]}
        import runpy

        spec = runpy.run_path(args[1])
        print("edited", ", ".join(paired_edit(spec["NB"], spec["EN"], spec["ZH"])), "- now run `make student`")
    elif args[:1] in (["import"], ["check"]):
        write = args[0] == "import"
        refused = import_translations(args[1], json.loads(Path(args[2]).read_text(encoding="utf-8")), write=write)
        print("\n".join(refused) or ("all entries written" if write else "all entries keep the English structure"))
        sys.exit(1 if refused else 0)
    else:
        for arg in args:
            print(f"created {start(arg)}: now run `make student` and translate its entries")
