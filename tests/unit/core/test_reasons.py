"""Every English reason an error can carry has its Chinese words (backend/core/reasons.py)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import backend
from backend.core import reasons
from backend.core.errors import DomainError, InvalidInput

BACKEND = Path(backend.__file__).parent


def _error_classes() -> dict[str, type[DomainError]]:
    for module in pkgutil.walk_packages(backend.__path__, "backend."):
        importlib.import_module(module.name)
    found: dict[str, type[DomainError]] = {}
    todo: list[type[DomainError]] = [DomainError]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        found[cls.__name__] = cls
    return found


def _raises() -> list[tuple[str, type[DomainError], ast.Call]]:
    """Every call of a domain error class in backend/: (where, class, call)."""
    classes = _error_classes()
    out: list[tuple[str, type[DomainError], ast.Call]] = []
    for path in sorted(BACKEND.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                cls = classes.get(node.func.id)
                if cls is not None:
                    out.append((f"{path.relative_to(BACKEND)}:{node.lineno}", cls, node))
    return out


def _sample(node: ast.expr) -> str | None:
    """The text an expression gives, with a sample value for each unknown part; None when the
    expression is not built from literals (a user's own words, a library's message)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = [_sample(v) if not isinstance(v, ast.FormattedValue) else "7" for v in node.values]
        return None if None in parts else "".join(p for p in parts if p is not None)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        return None if left is None or right is None else left + right
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and isinstance(node.func.value, ast.Constant)
    ):
        return str(node.func.value.value).join(["alpha", "beta_gamma", "delta"])
    return None


def _raised_reasons() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for where, cls, call in _raises():
        for keyword in call.keywords:
            if keyword.arg == "reason" and "{reason}" in cls.zh:
                text = _sample(keyword.value)
                if text is not None:
                    out.append((where, text))
    return out


def _coded_words() -> list[tuple[str, str, str, dict[str, str]]]:
    """(where, parameter, literal code, the class's words for that parameter)."""
    out: list[tuple[str, str, str, dict[str, str]]] = []
    for where, cls, call in _raises():
        for keyword in call.keywords:
            if keyword.arg in cls.zh_words and isinstance(keyword.value, ast.Constant):
                out.append((where, keyword.arg, keyword.value.value, cls.zh_words[keyword.arg]))
    return out


def test_the_scan_finds_the_reasons_raised_across_the_backend() -> None:
    found = {text for _, text in _raised_reasons()}
    assert "say why" in found
    assert "one of alpha, beta_gamma, delta" in found
    assert len(found) > 50


@pytest.mark.parametrize(("where", "reason"), _raised_reasons())
def test_every_reason_raised_has_its_chinese(where: str, reason: str) -> None:
    assert reasons.zh(reason) is not None, f"{where}: add {reason!r} to backend/core/reasons.py"


def test_the_chinese_message_carries_the_translated_reason_and_the_member_stays_english() -> None:
    error = InvalidInput(field="reason", reason="say why")
    assert error.message("zh-CN") == "字段 reason 无效：请填写原因"
    assert error.message("en") == "Field reason is not valid: say why"
    assert error.extra() == {"field": "reason", "reason": "say why"}


def test_a_reason_with_values_keeps_them_in_the_chinese() -> None:
    assert reasons.zh("between 0 and 12") == "须在 0 到 12 之间"
    assert reasons.zh("one of storage, receiving") == "须为以下之一：storage, receiving"
    assert reasons.zh("lot A1 is recorded with expiry 2027-01-31") == (
        "批号 A1 已登记的有效期为 2027-01-31"
    )


def test_words_of_the_user_are_left_as_they_were() -> None:
    error = InvalidInput(field="note", reason="包装破损，已拍照")
    assert reasons.zh("包装破损，已拍照") is None
    assert error.message("zh-CN") == "字段 note 无效：包装破损，已拍照"


@pytest.mark.parametrize(("where", "name", "code", "words"), _coded_words())
def test_every_coded_parameter_raised_has_its_chinese_word(
    where: str, name: str, code: str, words: dict[str, str]
) -> None:
    assert code in words, f"{where}: {name}={code!r} has no Chinese word in zh_words"


def test_a_coded_status_and_action_read_as_chinese_words_and_stay_codes_in_the_problem() -> None:
    from backend.stock.errors import DocumentState

    assert any(code == "shipped" for _, _, code, _ in _coded_words())
    error = DocumentState(document="TO-12", state="cancelled", action="shipped")
    assert error.message("zh-CN") == "TO-12 当前状态为「已取消」，不能发货"
    assert error.message("en") == "TO-12 is cancelled and cannot be shipped"
    assert error.extra() == {"document": "TO-12", "state": "cancelled", "action": "shipped"}
