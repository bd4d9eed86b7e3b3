"""The Chinese edition cannot drift from the English one.

* every chapter with a catalogue (``translations/zh/NN_topic.po``) has a current translation of
  every markdown cell, none made for an older English text, none without an English cell;
* the zh notebooks' code is the English code, cell by cell, except the setup call's ``lang="zh"``;
* the drift checks fail when they should (a changed, added or deleted English cell, a tampered
  code cell, a translation that drops a quoted number), on a real chapter in a temporary copy;
* the run-time messages (``translations/zh/utils.po``) are all translated, keep their
  placeholders, and ``utils.setup(lang="zh")`` makes the checks speak Chinese.

That the generated files are up to date with the catalogues is ``make check-student``'s job
(``tests/test_student.py``).
"""

from __future__ import annotations

import ast
import copy
import shutil
import string
from pathlib import Path

import nbformat
import pytest

from utils import i18n, translate
from utils.config import REPO_ROOT

SOLUTIONS = REPO_ROOT / "solutions"
NOTEBOOKS = sorted(p.name for p in SOLUTIONS.glob("*.ipynb"))
TRANSLATED = [n for n in NOTEBOOKS if translate.catalogue_path(n).is_file()]


def english(name: str) -> nbformat.NotebookNode:
    return nbformat.read(SOLUTIONS / name, as_version=4)


def fully_translated(nb: nbformat.NotebookNode, name: str):
    """A catalogue for ``nb`` whose every entry has a (fake) translation keeping its placeholders
    and its structure (code, formulas, headings, tables: :func:`translate.markdown_structure`)."""
    catalog = translate.merge(None, translate.cells_to_translate(nb), name)
    for entry in catalog:
        entry.msgstr = f"译文 {entry.msgctxt}\n\n{entry.msgid}"
    return catalog


def entry_for(catalog, cell_id):
    [entry] = [e for e in catalog if e.msgctxt == cell_id and not e.obsolete]
    return entry


@pytest.fixture
def in_english():
    yield
    i18n.set_language("en")


# ----------------------------------------------------------------------------- the real catalogues


@pytest.mark.parametrize("name", TRANSLATED)
def test_every_markdown_cell_has_a_current_translation(name):
    catalog = translate.read_catalogue(translate.catalogue_path(name))
    found = translate.problems(english(name), catalog, name)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", TRANSLATED)
def test_zh_notebooks_have_the_english_code(name):
    en = english(name)
    zh = nbformat.read(SOLUTIONS / "zh" / name, as_version=4)
    assert not translate.code_differences(en, zh), translate.code_differences(en, zh)
    from utils.student import make_student

    en_student, zh_student = make_student(en), nbformat.read(REPO_ROOT / "chapters" / "zh" / name, as_version=4)
    assert not translate.code_differences(en_student, zh_student)
    assert any('lang="zh"' in c.source for c in zh.cells if c.cell_type == "code"), "the setup call must select zh"


def test_chapters_still_to_translate():
    missing = [n for n in NOTEBOOKS if n not in TRANSLATED]
    if missing:
        pytest.skip(f"no Chinese catalogue yet for {len(missing)} of {len(NOTEBOOKS)} chapters (issue #20): "
                    + ", ".join(missing))


# ----------------------------------------------------------------------------- the checks fail when they should

CHAPTER = "02_rnn_time_step.ipynb"


def test_a_complete_catalogue_passes_and_translate_uses_it():
    nb = english(CHAPTER)
    catalog = fully_translated(nb, CHAPTER)
    assert translate.problems(nb, catalog, CHAPTER) == []
    zh = translate.translate(nb, catalog)
    assert translate.code_differences(nb, zh) == []
    markdown = [c for c in zh.cells if c.cell_type == "markdown" and c.source.strip()]
    assert markdown and all(c.source.startswith("译文 ") for c in markdown)
    assert nb.cells[0].source != zh.cells[0].source  # the English notebook was not changed


def test_a_changed_english_sentence_is_caught(tmp_path):
    nb = english(CHAPTER)
    catalog = fully_translated(nb, CHAPTER)
    path = tmp_path / "02.po"
    path.write_text(translate.render_catalogue(catalog), encoding="utf-8")
    index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and i > 3)
    changed = copy.deepcopy(nb)
    changed.cells[index].source += "\n\nOne more English sentence."
    cell_id = changed.cells[index].id

    stale = translate.problems(changed, translate.read_catalogue(path), CHAPTER)  # before `make student`
    assert len(stale) == 1 and f"cell {index} (id {cell_id}" in stale[0] and "another English text" in stale[0]

    merged = translate.merge(translate.read_catalogue(path), translate.cells_to_translate(changed), CHAPTER)
    path.write_text(translate.render_catalogue(merged), encoding="utf-8")  # the round trip keeps the flag
    after = translate.problems(changed, translate.read_catalogue(path), CHAPTER)
    assert len(after) == 1 and cell_id in after[0] and "older text" in after[0], after
    entry = entry_for(translate.read_catalogue(path), cell_id)
    assert entry.msgid == translate.english_text(changed.cells[index].source)
    assert entry.fuzzy and entry.previous_msgid == translate.english_text(nb.cells[index].source)
    assert "#| msgid" in path.read_text(encoding="utf-8")
    zh = translate.translate(changed, translate.read_catalogue(path))
    assert zh.cells[index].source == changed.cells[index].source  # a fuzzy translation is not used

    # changed twice: the translation is still flagged against the text it was made for
    twice = copy.deepcopy(changed)
    twice.cells[index].source += " And another."
    again = translate.merge(translate.read_catalogue(path), translate.cells_to_translate(twice), CHAPTER)
    entry = entry_for(again, cell_id)
    assert entry.fuzzy and entry.previous_msgid == translate.english_text(nb.cells[index].source)


def test_added_and_deleted_cells_are_caught():
    nb = english(CHAPTER)
    catalog = fully_translated(nb, CHAPTER)
    edited = copy.deepcopy(nb)
    gone = next(i for i, c in enumerate(edited.cells) if c.cell_type == "markdown" and i > 3)
    gone_id = edited.cells[gone].id
    del edited.cells[gone]
    new = nbformat.v4.new_markdown_cell("A new paragraph.")
    edited.cells.insert(5, new)
    stale = translate.problems(edited, catalog, CHAPTER)
    assert any(new.id in p and "no entry" in p for p in stale), stale
    assert any(gone_id in p and "no English cell any more" in p for p in stale), stale

    merged = translate.merge(catalog, translate.cells_to_translate(edited), CHAPTER)
    after = translate.problems(edited, merged, CHAPTER)
    assert any(new.id in p and "not translated" in p for p in after), after
    assert any(gone_id in p and "obsolete" in p for p in after), after
    assert len(after) == 2


def test_tampered_zh_code_is_caught():
    nb = english(CHAPTER)
    zh = translate.translate(nb, fully_translated(nb, CHAPTER))
    code = next(i for i, c in enumerate(zh.cells) if c.cell_type == "code" and i > 3)
    zh.cells[code].source += "\nx = 1"
    assert translate.code_differences(nb, zh) == [f"cell {code} (id {zh.cells[code].id}): code differs from the "
                                                  "English notebook's"]
    del zh.cells[-1]
    assert "cells" in translate.code_differences(nb, zh)[0]


def test_quoted_numbers_are_placeholders_filled_from_the_english():
    cell = nbformat.v4.new_markdown_cell("The LSTM reached 0.883<!-- full:ch03_x --> and 87.0 %<!-- full:ch03_y -->.")
    nb = nbformat.v4.new_notebook(cells=[cell])
    [(cell_id, text)] = translate.cells_to_translate(nb)
    assert text == "The LSTM reached {full:ch03_x} and {full:ch03_y}."
    catalog = translate.merge(None, [(cell_id, text)], "x.ipynb")
    entry_for(catalog, cell_id).msgstr = "LSTM 达到 {full:ch03_x}，以及 {full:ch03_y}。"
    assert translate.problems(nb, catalog, "x.ipynb") == []
    zh = translate.translate(nb, catalog)
    assert zh.cells[0].source == "LSTM 达到 0.883<!-- full:ch03_x -->，以及 87.0 %<!-- full:ch03_y -->。"
    # a new bench number changes the English number but not the catalogue's text: no re-translation
    cell.source = cell.source.replace("0.883", "0.879")
    assert translate.problems(nb, catalog, "x.ipynb") == []
    assert "0.879<!-- full:ch03_x -->" in translate.translate(nb, catalog).cells[0].source
    entry_for(catalog, cell_id).msgstr = "LSTM 达到 0.883。"
    assert "same numbers" in translate.problems(nb, catalog, "x.ipynb")[0]


@pytest.mark.parametrize(("translation", "kind"), [
    ("## 1. 标题\n\n把 `x` 写成 `y`，公式 $a_t$。", None),                      # keeps everything
    ("## 1. 标题\n\n把 x 写成 `y`，公式 $a_t$。", "inline code"),                 # code span dropped
    ("## 1. 标题\n\n把 `x` 写成 `y`，公式 a_t。", "formulas"),                   # formula dropped
    ("### 1. 标题\n\n把 `x` 写成 `y`，公式 $a_t$。", "heading levels"),          # heading level changed
    ("## 1. 标题\n\n把 `x` 写成 `y`，公式 $a_t$。\n\n| a |\n|---|", "table rows"),
    ("## 1. 标题\n\n把 `x` 写成 `y`，公式 $a_t$。<!-- note -->", "HTML comments"),
])
def test_a_translation_must_keep_the_english_structure(translation, kind):
    english_cell = "## 1. Title\n\nWrite `x` as `y`, formula $a_t$."
    found = translate.structure_problems(english_cell, translation)
    assert (found == []) if kind is None else (len(found) == 1 and found[0].startswith(kind)), found
    if kind:  # and problems() names the cell with it
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(english_cell)])
        nbformat.validator.normalize(nb)
        catalog = translate.merge(None, translate.cells_to_translate(nb), "x.ipynb")
        catalog[0].msgstr = translation
        [problem] = translate.problems(nb, catalog, "x.ipynb")
        assert "cell 0" in problem and kind in problem


def test_export_and_import_of_a_chapter_part(tmp_path, monkeypatch):
    monkeypatch.setattr(translate, "TRANSLATIONS", tmp_path)
    nb = english(CHAPTER)
    catalog = translate.merge(None, translate.cells_to_translate(nb), CHAPTER)
    path = translate.catalogue_path(CHAPTER)
    path.parent.mkdir(parents=True)
    path.write_text(translate.render_catalogue(catalog), encoding="utf-8")
    halves = [translate.export_untranslated(CHAPTER, part=(i, 2)) for i in (1, 2)]
    assert halves[0] and halves[1] and not set(halves[0]) & set(halves[1])
    assert list(halves[0]) + list(halves[1]) == [e.msgctxt for e in catalog]
    first, *_ = halves[0]
    good = {first: f"译文\n\n{halves[0][first]}"}
    bad = {cell_id: "译文，没有代码" for cell_id, text in halves[1].items() if "`" in text}
    assert translate.import_translations(CHAPTER, good, write=False) == []
    assert translate.export_untranslated(CHAPTER, part=(1, 2)) == halves[0]  # write=False wrote nothing
    refused = translate.import_translations(CHAPTER, {**good, **bad})
    assert bad and {r.split(":")[0] for r in refused} == set(bad)
    assert all(any(r.startswith(f"{cell_id}: inline code") for r in refused) for cell_id in bad)
    after = translate.read_catalogue(path)
    assert entry_for(after, first).msgstr == good[first]
    assert all(not entry_for(after, cell_id).msgstr for cell_id in bad)  # refused entries stay empty
    assert first not in translate.export_untranslated(CHAPTER)


@pytest.mark.parametrize(("source", "expected"), [
    ('info = utils.setup(seed=42, datasets=("imdb",))', 'info = utils.setup(seed=42, datasets=("imdb",), lang="zh")'),
    ("utils.setup()", 'utils.setup(lang="zh")'),
    ("x = utils.setup(\n    seed=42,\n)", 'x = utils.setup(\n    seed=42, lang="zh",\n)'),
    ('s = "中文"; utils.setup(seed=1)', 's = "中文"; utils.setup(seed=1, lang="zh")'),
    ("print(1)", "print(1)"),
])
def test_localize_code(source, expected):
    assert translate.localize_code(source, "zh") == expected


def test_localize_code_refuses_an_english_lang_argument():
    with pytest.raises(ValueError, match="must not pass lang"):
        translate.localize_code('utils.setup(lang="en")', "zh")


def test_every_english_notebook_has_one_setup_call_to_localize():
    for name in NOTEBOOKS:
        nb = english(name)
        changed = [c for c in nb.cells if c.cell_type == "code" and translate.localize_code(c.source, "zh") != c.source]
        assert len(changed) == 1, f"{name}: {len(changed)} cells call utils.setup(...)"


# ----------------------------------------------------------------------------- run-time messages

def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_runtime_messages_are_literal_so_babel_extracts_them():
    bad = []
    for path in sorted((REPO_ROOT / "utils").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
                if len(node.args) != 1 or not isinstance(node.args[0], ast.Constant) or node.keywords:
                    bad.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert not bad, "_() needs one string literal (use .format afterwards): " + ", ".join(bad)


def test_runtime_catalogue_is_complete_and_keeps_placeholders():
    catalog = translate.read_catalogue(REPO_ROOT / "translations" / "zh" / "utils.po")
    problems = []
    for m in catalog:
        if m.obsolete:
            problems.append(f"obsolete: {m.msgid!r}")
        elif not m.msgstr or m.fuzzy:
            problems.append(f"not translated{' (fuzzy)' if m.fuzzy else ''}: {m.msgid!r}")
        elif _placeholders(m.msgid) != _placeholders(m.msgstr):
            problems.append(f"placeholders differ: {m.msgid!r} → {m.msgstr!r}")
    assert not problems, "\n".join(problems)


def test_setup_in_chinese_makes_the_checks_speak_chinese(capsys, in_english):
    import utils
    from utils.checks._core import expect_array, run

    info = utils.setup(seed=0, lang="zh")
    banner = capsys.readouterr().out
    assert "模式=" in banner and "随机种子=0" in banner and info["seed"] == "0"
    assert run("rnn_step", lambda: None) is True
    assert run("rnn_step", lambda: expect_array([1.0], "h")) is False
    out = capsys.readouterr().out.splitlines()
    assert out == ["✅ rnn_step：正确。", "❌ rnn_step：h 应为 NumPy 数组，得到的是 list。请用 np.asarray(...) 转换。"]
    utils.setup(seed=0)
    assert "mode=" in capsys.readouterr().out
    assert run("rnn_step", lambda: None) is True
    assert capsys.readouterr().out == "✅ rnn_step: correct.\n"


def test_setup_rejects_an_unknown_language(in_english):
    import utils

    with pytest.raises(ValueError, match='lang="zh"'):
        utils.setup(seed=0, lang="fr")
    assert i18n.language() == "en"


def test_the_compiled_catalogue_ships_with_the_package():
    assert (Path(i18n.__file__).parent / "locale" / "zh" / "LC_MESSAGES" / "utils.mo").is_file()
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "locale/*/LC_MESSAGES/*.mo" in pyproject


def test_a_missing_dataset_is_reported_in_chinese(tmp_path, monkeypatch, in_english):
    import utils
    from utils.data import DataNotFoundError

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    i18n.set_language("zh")
    with pytest.raises(DataNotFoundError) as info:
        utils.require("japanese_vowels_train", download=False)
    text = str(info.value)
    assert "本笔记本需要的 1 个数据集中有 1 个无法使用" in text and "查找过的位置：" in text
    assert "python -m utils.data fetch japanese_vowels_train" in text and str(tmp_path) in text


# ----------------------------------------------------------------------------- one course glossary

GLOSSARY = translate.read_glossary()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_chapter_glossary_agrees_with_the_course_glossary(name):
    found = translate.glossary_problems(english(name), GLOSSARY, f"solutions/{name}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", TRANSLATED)
def test_zh_glossary_agrees_with_the_course_glossary(name):
    zh = nbformat.read(SOLUTIONS / "zh" / name, as_version=4)
    found = translate.glossary_problems(zh, GLOSSARY, f"solutions/zh/{name}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("row", "problem"), [
    ("| token / tokenization | 词元 / 分词（标记化） |", "'token' is '标记' in GLOSSARY.md, the chapter says '词元'"),
    ("| trigram | 三元组 |", "'trigram' is '三元语法'"),
    ("| forward / backward layer | 前向层 / 后向层 |", "'forward' is not in GLOSSARY.md"),
    ("| balanced accuracy | 平衡准确率 |\n| balanced accuracy, recall | 平衡准确率，召回率 |", "appears twice"),
    ("| padding, stride | 填充 |", "lists 2 English and 1 Chinese terms"),
])
def test_glossary_disagreements_are_caught(row, problem):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        f"## Glossary · 术语表\n\n| English | 中文 |\n|---|---|\n{row}\n| padding | 填充 |\n\n## Exercises\n\n| a | b |")])
    found = translate.glossary_problems(nb, GLOSSARY, "x")
    assert len(found) == 1 and problem in found[0], found
    # the Chinese edition's table (中文 first) is read the same way
    zh = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "## 术语表\n\n| 中文 | English |\n|---|---|\n| 词元 | token |\n| 三元语法 | trigram |")])
    assert translate.glossary_problems(zh, GLOSSARY, "zh") == [
        "zh cell 0: 'token' is '标记' in GLOSSARY.md, the chapter says '词元'"]


def test_the_course_glossary_gives_each_english_term_one_rendering():
    rows = [line for line in translate.GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    terms = [t for line in rows[2:] for t in translate.split_terms(line.split("|")[1].strip(), (", ",))]
    assert len(terms) == len(set(terms)), sorted({t for t in terms if terms.count(t) > 1})
    assert GLOSSARY["token"] == "标记" and GLOSSARY["attention score"] == "注意力分数"


def test_the_zh_title_cell_gets_the_zh_colab_badge():
    from utils.colab import badge

    nb = english(CHAPTER)
    assert badge(CHAPTER) in nb.cells[0].source
    catalog = fully_translated(nb, CHAPTER)
    [title] = [e for e in catalog if e.msgctxt == nb.cells[0].id]
    assert "colab" not in title.msgid.lower()  # translators never see (or break) the badge
    zh = translate.translate(nb, catalog, "zh", CHAPTER)
    assert zh.cells[0].source.endswith(badge("zh/" + CHAPTER)) and "/chapters/zh/" in zh.cells[0].source


def _copy_chapter(tmp_path, name="02_rnn_time_step"):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "translations" / "zh").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "solutions" / f"{name}.ipynb", tmp_path / "solutions")
    shutil.copy(REPO_ROOT / "translations" / "zh" / f"{name}.po", tmp_path / "translations" / "zh")
    nb = nbformat.read(tmp_path / "solutions" / f"{name}.ipynb", as_version=4)
    catalog = translate.read_catalogue(tmp_path / "translations" / "zh" / f"{name}.po")
    return nb, {e.msgctxt: e for e in catalog if e.msgctxt}


def test_a_paired_edit_changes_both_editions_and_leaves_nothing_fuzzy(tmp_path):
    name = "02_rnn_time_step"
    nb, entries = _copy_chapter(tmp_path, name)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and c.id in entries and "`" in c.source)
    zh_text = entries[cell.id].msgstr
    assert translate.paired_edit(name, {cell.id: [(cell.source, cell.source + "\n\nRNN¹ `x`.")]},
                                 {cell.id: [(zh_text, zh_text + "\n\n循环网络¹ `x`。")]}, root=tmp_path) == [cell.id]
    edited = nbformat.read(tmp_path / "solutions" / f"{name}.ipynb", as_version=4)
    catalog = translate.read_catalogue(tmp_path / "translations" / "zh" / f"{name}.po")
    assert "RNN¹" in next(c for c in edited.cells if c.id == cell.id).source
    entry = next(e for e in catalog if e.msgctxt == cell.id)
    assert "¹" in entry.msgstr and not entry.fuzzy and entry.msgid == translate.english_text(
        next(c for c in edited.cells if c.id == cell.id).source)
    assert not translate.problems(edited, catalog, name)


@pytest.mark.parametrize("english, translated, message", [
    ({"no-such-cell": [("a", "b")]}, {}, "has no cell"),
    ("FIRST", {}, "give the edits of its zh translation"),
    ("FIRST-TWICE", "SAME", "occurs"),
    ("FIRST-CODE-SPAN", "SAME-EMPTY", "nothing written"),
    ("PLACEHOLDER", "DROP-PLACEHOLDER", "placeholders differ"),
])
def test_a_paired_edit_refuses_and_writes_nothing(tmp_path, english, translated, message):
    name = "02_rnn_time_step"
    nb, entries = _copy_chapter(tmp_path, name)
    first = next(c for c in nb.cells if c.cell_type == "markdown" and c.id in entries and "`" in c.source)
    if english == "PLACEHOLDER":   # a cell quoting a bench number: its translation drops the number
        first = next(c for c in nb.cells if c.id in entries and "{full:" in entries[c.id].msgstr)
        placeholder = translate.PLACEHOLDER.search(entries[first.id].msgstr)[0]
        english = {first.id: [(first.source, first.source + "\n\nAgain.")]}
        translated = {first.id: [(placeholder, "0.9")]}
    text = first.source
    if english == "FIRST":
        english = {first.id: [(text[:10], text[:10] + "x")]}
    elif english == "FIRST-TWICE":
        english = {first.id: [("`", "'")]}   # a code span has two backticks at least
    elif english == "FIRST-CODE-SPAN":
        english = {first.id: [(text, text + "\n\nNew: `added_code`.")]}   # the translation lacks the new code span
    if translated in ("SAME", "SAME-EMPTY"):
        translated = {first.id: []}
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.*")}
    with pytest.raises(ValueError, match=message):
        translate.paired_edit(name, english, translated, root=tmp_path)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.*")} == before
