import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from utils.student import make_student, strip_source

SOLUTION_CELL = '''def f(x):
    """Double x."""
    ### BEGIN SOLUTION
    y = 2 * x
    return y
    ### END SOLUTION

print("kept")'''


def test_region_is_replaced_at_its_indentation():
    out, top = strip_source(SOLUTION_CELL)
    assert out == '''def f(x):
    """Double x."""
    # YOUR CODE HERE
    raise NotImplementedError()

print("kept")'''
    assert top is False


def test_stub_raises_not_implemented():
    out, _ = strip_source(SOLUTION_CELL)
    namespace: dict = {}
    exec(out, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](3)


def test_hidden_tests_are_removed_with_markers():
    src = "ok = check(f)\n### BEGIN HIDDEN TESTS\nassert ok\n### END HIDDEN TESTS"
    assert strip_source(src)[0] == "ok = check(f)"


def test_top_level_region_is_flagged():
    _, top = strip_source("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    assert top is True


@pytest.mark.parametrize("bad", [
    "### BEGIN SOLUTION\nx = 1",
    "x = 1\n### END SOLUTION",
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
    "### BEGIN HIDDEN TESTS\nx\n### END SOLUTION",
])
def test_unbalanced_markers_are_errors(bad):
    with pytest.raises(ValueError):
        strip_source(bad)


def test_make_student_changes_only_regions_outputs_and_metadata():
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                "widgets": {"junk": 1}})
    plain = new_code_cell("x = 1", execution_count=3, outputs=[new_output("stream", name="stdout", text="1\n")],
                          metadata={"tags": ["keep"], "collapsed": True})
    nb.cells = [new_markdown_cell("# Title"), plain, new_code_cell(SOLUTION_CELL),
                new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")]
    student = make_student(nb)
    assert [c.source for c in student.cells[:2]] == ["# Title", "x = 1"]
    assert "y = 2 * x" not in student.cells[2].source and "raise NotImplementedError()" in student.cells[2].source
    assert student.cells[1].outputs == [] and student.cells[1].execution_count is None
    assert student.cells[1].metadata == {"tags": ["keep"]}
    assert "raises-exception" in student.cells[3].metadata["tags"]
    assert "raises-exception" not in student.cells[2].metadata.get("tags", [])
    assert "widgets" not in student.metadata and student.metadata["kernelspec"]["name"] == "python3"
    assert [c.id for c in student.cells] == [c.id for c in nb.cells]
    # the solution notebook itself is untouched
    assert "y = 2 * x" in nb.cells[2].source and nb.cells[1].outputs
    nbformat.validate(student)


def _exercise_notebook():
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    return new_notebook(cells=[
        new_markdown_cell("Write `f`."),
        new_code_cell("def helper(x):\n    return x\n\ndef f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
        new_code_cell("ok = checks.check_double(f)\n### BEGIN HIDDEN TESTS\nassert ok\n### END HIDDEN TESTS"),
        new_code_cell("print(1)", metadata={"nbgrader": {"grade": True, "grade_id": "stale", "points": 3}}),
        new_code_cell("def g(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"),
        new_code_cell("ok = checks.check_classifier_beats(g, data)\n### BEGIN HIDDEN TESTS\nassert ok\n### END HIDDEN TESTS"),
    ])


def test_nbgrader_metadata_is_derived_from_the_markers():
    from utils.student import mark_for_nbgrader, total_points

    nb = mark_for_nbgrader(_exercise_notebook())
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    assert meta[0] is None and meta[3] is None            # stale metadata on a plain cell is removed
    assert meta[1]["solution"] and not meta[1]["grade"] and meta[1]["grade_id"] == "answer_double"
    assert meta[2]["grade"] and meta[2]["locked"] and meta[2]["points"] == 1 and meta[2]["grade_id"] == "test_double"
    assert meta[5]["points"] == 2                         # a check that trains a model
    assert total_points(nb) == 3
    assert mark_for_nbgrader(nb) == nb                    # idempotent


def test_points_set_by_hand_are_kept_and_student_copy_is_locked():
    from utils.student import make_student, mark_for_nbgrader

    nb = mark_for_nbgrader(_exercise_notebook())
    nb.cells[2].metadata["nbgrader"]["points"] = 5
    nb.cells[2].metadata["nbgrader"]["checksum"] = "abc"
    assert mark_for_nbgrader(nb).cells[2].metadata["nbgrader"]["points"] == 5
    student = make_student(nb)
    assert student.cells[2].metadata["editable"] is False and "checksum" not in student.cells[2].metadata["nbgrader"]
    assert student.cells[1].metadata["nbgrader"]["solution"] is True


def test_hidden_tests_without_an_answer_cell_are_an_error():
    from nbformat.v4 import new_code_cell, new_notebook

    from utils.student import mark_for_nbgrader

    with pytest.raises(ValueError, match="without an exercise"):
        mark_for_nbgrader(new_notebook(cells=[new_code_cell("### BEGIN HIDDEN TESTS\nassert 1\n### END HIDDEN TESTS")]))


def test_points_table_lists_every_chapter():
    from utils.student import expected_solutions, points_table

    table = points_table(expected_solutions())
    assert table.count("\n| `") == len(expected_solutions())
    assert "test_rnn_step" in table
