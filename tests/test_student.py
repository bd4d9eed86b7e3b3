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
