"""What every exercise check is built from.

A check runs the student's function on cases whose answers come from a reference
implementation, prints **one** line starting with ✅ or ❌ and returns ``True``/``False``.
The rules every check follows (and ``tests/test_checks*.py`` enforce):

* **It never raises.** :func:`run` turns every exception, the student's and the check's own
  (Keras errors while building, fitting or predicting a student's model included), into one
  ❌ line. Only ``KeyboardInterrupt`` (the stop button) goes through.
* **Inputs are checked for mutation.** :func:`call` keeps a copy of every argument, calls the
  student's function on the originals and compares them afterwards; an answer that changes
  its input in place gets ❌ saying which argument, because a later cell would run on
  corrupted data.
* **Types are enforced** as the exercise statement states them (:func:`expect_int`,
  :func:`expect_float`, :func:`expect_array`), so a value a check accepted works in every
  later cell.
* **Feedback names the notebook's function** (:func:`function_name`) and names a likely cause
  only when the answer really equals that wrong variant (compute it with :func:`matches`).
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..i18n import _


class Fail(Exception):
    """Raised inside a check's body to stop at the first problem found; its text is the ❌ line."""


def report(name: str, problem: str | None) -> bool:
    """Print the verdict line and return whether the answer passed."""
    if problem is None:
        print("✅ " + _("{name}: correct.").format(name=name))
        return True
    print("❌ " + _("{name}: {problem}").format(name=name, problem=problem))
    return False


def function_name(fn: Any, default: str) -> str:
    """The name to show in feedback: the student's function's own name when it has a usable one
    (the notebook's ``def``), else ``default`` (the name the exercise statement uses)."""
    name = getattr(fn, "__name__", None)
    if isinstance(name, str) and name.isidentifier() and name != "<lambda>":
        return name
    return default


def run(name: str, body: Callable[[], None]) -> bool:
    """Run a check's ``body`` and report; whatever happens inside, return True or False."""
    try:
        body()
    except Fail as fail:
        return report(name, str(fail))
    except KeyboardInterrupt:
        raise
    except NotImplementedError:
        return report(name, _not_implemented())
    except BaseException as exc:  # noqa: BLE001 - a check never raises, whatever the answer did
        return report(name, _("checking your answer failed with {error}. Look at what your function returns "
                              "(type, shape, values) and compare it with the exercise statement.").format(
                                  error=_describe(exc)))
    return report(name, None)


def _not_implemented() -> str:
    return _("not implemented yet: replace `raise NotImplementedError()` with your code.")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 300:
        first = first[:300] + "…"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


# ----------------------------------------------------------------------------- calling


def snapshot(value: Any) -> Any:
    """A deep copy to compare an argument with after the call (see :func:`same`)."""
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - an uncopyable argument is simply not compared
        return _UNCOPYABLE


_UNCOPYABLE = object()


def same(a: Any, b: Any) -> bool:
    """Whether ``a`` still equals its snapshot ``b``: arrays by shape, dtype and values (NaN equal
    to NaN), containers element by element, other objects by their attributes."""
    if b is _UNCOPYABLE:
        return True
    if isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(b, (str, bytes, int, float, complex, bool, type(None), np.generic)):
        try:
            return bool(a == b) or (isinstance(b, float) and math.isnan(b) and math.isnan(a))
        except Exception:  # noqa: BLE001
            return False
    if hasattr(b, "__dict__") and not callable(b):
        return type(a) is type(b) and same(vars(a), vars(b))
    return True  # generators, models, functions: not compared


def _parameter_names(fn: Callable[..., Any], n: int) -> list[str]:
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"argument {i + 1}" for i in range(n)]


def call(fn: Any, *args: Any, name: str = "your function", check_mutation: bool = True) -> Any:
    """Call the student's ``fn(*args)`` and return its result.

    Raises :class:`Fail` (never anything else) when ``fn`` is not a function, is still the stub,
    raises, or changed one of its arguments in place. Arguments are handed over as they are
    (not as copies), so that an in-place change is seen.
    """
    if not callable(fn):
        raise Fail(_("expected the function {name}, got {kind} {value}.").format(
            name=name, kind=type(fn).__name__, value=_short(fn)))
    before = [snapshot(a) for a in args] if check_mutation else []
    try:
        result = fn(*args)
    except NotImplementedError:
        raise Fail(_not_implemented()) from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a student's bug is reported, not raised
        raise Fail(_("calling {call} raised {error}").format(
            call=f"{name}({_argument_summary(args)})", error=_describe(exc))) from None
    if check_mutation:
        for param, arg, old in zip(_parameter_names(fn, len(args)), args, before):
            if not same(arg, old):
                raise Fail(_("{name} changed its input `{param}` in place. Later cells pass it the notebook's "
                             "real data, which would then be corrupted: work on a copy (e.g. `{param} = "
                             "{param}.copy()`) or build a new result instead of assigning into `{param}`.").format(
                                 name=name, param=param))
    return result


def expect_two(got: Any, name: str, first: str, second: str) -> tuple[Any, Any]:
    """``got`` if it is a tuple of two values; :class:`Fail` naming the tuple ``(first, second)``
    the exercise asks for otherwise (``name`` is how the feedback names the student's function)."""
    if got is None:
        raise Fail(_("{name} returned None: did you forget `return {first}, {second}`?").format(
            name=name, first=first, second=second))
    if not isinstance(got, tuple):
        size = _(" of length {length}").format(length=len(got)) if isinstance(got, list) else ""
        hint = (" " + _("Write `return {first}, {second}`.").format(first=first, second=second)
                if isinstance(got, list) and len(got) == 2 else "")
        raise Fail(_("{name} should return a tuple ({first}, {second}), got {kind} {value}.").format(
            name=name, first=first, second=second, kind=type(got).__name__ + size, value=_short(got, 60)) + hint)
    if len(got) != 2:
        raise Fail(_("{name} should return a tuple of two, ({first}, {second}); got {count} values {value}.").format(
            name=name, first=first, second=second, count=len(got), value=_short(got, 60)))
    return got[0], got[1]


def lazy_attributes(module: str, builders: dict[str, Callable[[], Any]]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` that returns ``builders[attr]()`` on each access, so that a
    module's constant-like lists of causes (``ch02._LEVEL_VARIANTS``) are built in the language of
    the moment. Use: ``__getattr__ = lazy_attributes(__name__, {"_X_VARIANTS": _x_variants})``."""

    def __getattr__(attr: str) -> Any:
        if attr in builders:
            return builders[attr]()
        raise AttributeError(f"module {module!r} has no attribute {attr!r}")

    return __getattr__


def _short(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + "…"


def _argument_summary(args: Iterable[Any]) -> str:
    def one(a: Any) -> str:
        if isinstance(a, np.ndarray):
            return f"array of shape {a.shape}"
        if callable(a):
            return getattr(a, "__name__", "function")
        return _short(a, 40)

    return ", ".join(one(a) for a in args)


# ----------------------------------------------------------------------------- types


def expect_int(got: Any, what: str) -> int:
    """``got`` as a Python int; :class:`Fail` unless it is an int (or NumPy integer), not a bool
    or a float (a float length or count breaks later code such as ``range`` or Keras layers)."""
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
        hint = _("Convert it with int(...).") if isinstance(got, (float, np.floating)) else None
        raise Fail(with_cause(_("{what} should be an int, got {kind} {value}.").format(
            what=what, kind=type(got).__name__, value=_short(got)), hint))
    return int(got)


def expect_float(got: Any, what: str) -> float:
    """``got`` as a Python float; :class:`Fail` unless it is a real number (float, NumPy float or
    int, not a bool, an array or a string) that is finite."""
    if isinstance(got, int) and not isinstance(got, bool) and abs(got) > 1e300:
        raise Fail(_("{what} should be a float, got an int of {digits} digits.").format(
            what=what, digits=len(str(abs(got)))))
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
        hint = _("Return a single number, e.g. float(...).") if isinstance(got, (np.ndarray, list, tuple)) else None
        raise Fail(with_cause(_("{what} should be a float, got {kind} {value}.").format(
            what=what, kind=type(got).__name__, value=_short(got)), hint))
    value = float(got)
    if not math.isfinite(value):
        raise Fail(_("{what} is {value}, expected a finite number.").format(what=what, value=value))
    return value


def expect_array(got: Any, what: str, shape: tuple[int, ...] | None = None, kind: str | None = None) -> np.ndarray:
    """``got`` as a NumPy array; :class:`Fail` unless it is an ``np.ndarray`` (not a list or a
    tensor), of ``shape`` when given, with a dtype of ``kind`` when given (``"f"`` floating,
    ``"i"`` integer, ``"b"`` boolean)."""
    if got is None:
        raise Fail(_("{what} is None: did you forget `return`?").format(what=what))
    if not isinstance(got, np.ndarray):
        raise Fail(_("{what} should be a NumPy array, got {kind}. Convert it with np.asarray(...).").format(
            what=what, kind=type(got).__name__))
    if shape is not None and got.shape != tuple(shape):
        raise Fail(_("{what} has shape {got}, expected {expected}.").format(
            what=what, got=got.shape, expected=tuple(shape)))
    names = {"f": _("a floating-point array"), "i": _("an integer array"), "b": _("a boolean array")}
    if kind is not None and not (got.dtype.kind in kind or (kind == "i" and got.dtype.kind == "u")):
        raise Fail(_("{what} has dtype {dtype}, expected {kind}.").format(
            what=what, dtype=got.dtype, kind=names.get(kind, kind)))
    return got


def compare_arrays(got: Any, expected: np.ndarray, what: str = "result", atol: float = 1e-5) -> str | None:
    """Describe the first difference between ``got`` and ``expected``, or return None.
    Never raises: anything that is not an array of numbers is described as such."""
    if got is None:
        return _("the {what} is None: did you forget `return`?").format(what=what)
    try:
        arr = np.asarray(got, dtype="float64")
    except Exception:  # noqa: BLE001 - strings, ragged lists, objects whose __array__ raises
        return _("the {what} should be array-like of numbers, got {kind}.").format(what=what, kind=type(got).__name__)
    expected = np.asarray(expected, dtype="float64")
    if arr.shape != expected.shape:
        return _("the {what} has shape {got}, expected {expected}.").format(
            what=what, got=arr.shape, expected=expected.shape)
    if not np.all(np.isfinite(arr)):
        return _("the {what} contains NaN or inf.").format(what=what)
    if arr.ndim == 0:
        if not np.isclose(arr, expected, atol=atol, rtol=0):
            return _("the {what} is {got}, expected {expected}.").format(
                what=what, got=f"{float(arr):.6g}", expected=f"{float(expected):.6g}")
        return None
    bad = np.argwhere(~np.isclose(arr, expected, atol=atol, rtol=0))
    if len(bad):
        i = tuple(int(j) for j in bad[0])
        return _("the {what} is wrong at index {index}: got {got}, expected {expected} ({count} wrong entries "
                 "in all).").format(what=what, index=i if len(i) > 1 else i[0], got=f"{arr[i]:.6g}",
                                    expected=f"{expected[i]:.6g}", count=len(bad))
    return None


def matches(got: Any, candidate: Any, atol: float = 1e-6) -> bool:
    """Whether the answer ``got`` equals ``candidate`` (a known wrong variant's result), for
    naming a cause only when it is the real one. Never raises."""
    try:
        if isinstance(candidate, (str, bytes)) or isinstance(got, (str, bytes)):
            return bool(got == candidate)
        a, b = np.asarray(got, dtype="float64"), np.asarray(candidate, dtype="float64")
        return a.shape == b.shape and bool(np.allclose(a, b, atol=atol, rtol=0, equal_nan=True))
    except Exception:  # noqa: BLE001
        return False


# ----------------------------------------------------------------------------- naming a cause


def cause_of(got: Any, variants: Iterable[tuple[Any, str]], default: str = "", atol: float = 1e-6,
             sentence: bool = True) -> str:
    """The text of the one wrong variant that ``got`` equals (by :func:`matches`), else ``default``:
    a cause is named only when the answer is that variant and no other listed one."""
    hits = {text for value, text in variants if matches(got, value, atol=atol)}
    if len(hits) != 1:
        return default
    return _sentence(hits.pop()) if sentence else hits.pop()


def cause_over_cases(values: list[float | None], variants: list[list[tuple[float, str]]], default: str = "",
                     rtol: float = 1e-6) -> str:
    """For checks with a number per case: ``values[i]`` is the answer on case ``i`` (None where it
    was not a number), ``variants[i]`` lists ``(value, cause)`` of the wrong variants on case
    ``i``, the causes in the same order for every case. Returns the cause of the one variant
    equal to the answer (relatively, ``rtol``) on *every* case it answered, else ``default``."""
    def close(a: float | None, b: float) -> bool:
        return a is None or (bool(np.isfinite(b)) and abs(a - b) <= rtol * max(1.0, abs(b)))

    hits = {text for k, (_label, text) in enumerate(variants[0])
            if all(close(value, case[k][0]) for value, case in zip(values, variants))}
    return _sentence(hits.pop()) if len(hits) == 1 else default


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def answer_every_case(cases: list[Any], answer: Callable[[Any], float]) -> list[float | Fail]:
    """``answer(case)`` (the student's number, through :func:`call` and :func:`expect_float`) for
    every case, a :class:`Fail` in place of a case that failed, so that a check can report the
    first problem in case order and name a cause from all the answers."""
    outcomes: list[float | Fail] = []
    for case in cases:
        try:
            outcomes.append(answer(case))
        except Fail as fail:
            outcomes.append(fail)
    return outcomes


#: a wrong variant: a function of one case's arguments, and the cause to name when it fits
Variant = tuple[Callable[..., Any], str]


def agrees(got: Any, expected: Any) -> bool:
    """Whether ``got`` equals ``expected``: lists and tuples element by element (a list and a
    tuple of equal elements agree), strings exactly, numbers and arrays with :func:`matches`
    (shape and values). Never raises."""
    if isinstance(expected, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(expected)
                and all(agrees(g, e) for g, e in zip(got, expected)))
    return matches(got, expected)


def cause_over_variants(results: Sequence[Any], cases: Sequence[tuple[Any, ...]], variants: Iterable[Variant]) -> str | None:
    """The cause of the first variant whose outputs on ``cases`` (each a tuple of arguments) all
    agree with the student's ``results``, or None. A variant that raises on a case is skipped.
    Variants are called on the cases as they are, so they must not change their arguments."""
    for variant, cause in variants:
        try:
            with np.errstate(all="ignore"):
                outputs = [variant(*case) for case in cases]
        except Exception:  # noqa: BLE001 - a variant that cannot handle a case is not the cause
            continue
        if len(outputs) == len(results) and all(agrees(g, o) for g, o in zip(results, outputs)):
            return cause
    return None


def with_cause(problem: str, cause: str | None) -> str:
    """``problem`` followed by ``cause`` when there is one."""
    return _("{problem} {cause}").format(problem=problem, cause=cause) if cause else problem


# ----------------------------------------------------------------------------- Keras models


def keras_step(what: str, action: Callable[[], Any], advice: str = "",
               explain: Callable[[BaseException], str | None] | None = None) -> Any:
    """Run one Keras operation on a student's model (building, compiling, fitting,
    predicting) and turn any error into :class:`Fail` saying which step failed and why;
    ``explain(error)``, when given, may return the whole ❌ text for errors it recognises."""
    try:
        return action()
    except Fail:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - Keras errors become the student's ❌ line
        text = explain(exc) if explain else None
        raise Fail(text or with_cause(_("{what} failed with {error}").format(what=what, error=_describe(exc)),
                                      advice or None)) from None
