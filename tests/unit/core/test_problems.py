"""Turning msgspec's validation messages into a field and a reason in the user's language."""

from __future__ import annotations

import pytest

from backend.core.errors import DomainError, Duplicate, InvalidInput, NotFound
from backend.core.problems import _field_reason


@pytest.mark.parametrize(
    ("message", "key", "field", "en", "zh"),
    [
        ("Object contains unknown field `colour`", "data", "colour", "unknown field", "未知字段"),
        (
            "Object contains unknown field `x`",
            "lines[0]",
            "lines[0].x",
            "unknown field",
            "未知字段",
        ),
        ("Object missing required field `name`", "data", "name", "required", "缺少必填字段"),
        ("Expected `int`, got `str`", "quantity", "quantity", "must be int", "类型应为 int"),
        ("Expected `object`, got `array`", "data", "body", "must be object", "类型应为 object"),
        ("Expected `int` >= 1", "limit", "limit", "must be >= 1", "应 >= 1"),
        ("Expected `float` <= 100.0", "temp_max", "temp_max", "must be <= 100.0", "应 <= 100.0"),
        (
            "Expected `str` of length <= 200",
            "name",
            "name",
            "length must be <= 200",
            "长度应 <= 200",
        ),
        (
            "Expected `str` matching regex '^[A-Z]+$'",
            "code",
            "code",
            "does not have the required form",
            "格式不正确",
        ),
        (
            "Invalid RFC3339 encoded date",
            "valid_until",
            "valid_until",
            "must be a date YYYY-MM-DD",
            "日期格式应为 YYYY-MM-DD",
        ),
        (
            "Invalid enum value 'IV'",
            "risk_class",
            "risk_class",
            "value IV is not allowed",
            "不允许的取值 IV",
        ),
        (
            "Something msgspec never said",
            "x",
            "x",
            "Something msgspec never said",
            "Something msgspec never said",
        ),
        ("Expected `int`, got `str`", None, None, "must be int", "类型应为 int"),
    ],
)
def test_a_validation_message_names_the_field_and_the_reason(message, key, field, en, zh):
    assert _field_reason(message, key, "en") == (field, en)
    assert _field_reason(message, key, "zh-CN") == (field, zh)


def test_a_domain_error_fills_its_message_in_both_languages():
    error = InvalidInput(field="quantity", reason="at least 1")
    assert error.message("en") == "Field quantity is not valid: at least 1"
    assert error.message("zh-CN") == "字段 quantity 无效：至少为 1"
    assert error.extra() == {"field": "quantity", "reason": "at least 1"}
    assert (error.status, error.code) == (422, "INVALID_INPUT")


def test_a_missing_template_parameter_falls_back_to_the_raw_template():
    assert NotFound().message("en") == "No {entity} {key} was found"


def test_extra_members_are_plain_json_values():
    import datetime as dt

    error = Duplicate(field="period", value=dt.date(2026, 11, 1))
    assert error.extra() == {"field": "period", "value": "2026-11-01"}
    assert (error.status, error.code) == (409, "DUPLICATE")


def test_every_error_class_has_a_stable_code_and_both_messages():
    def walk(cls: type[DomainError]) -> list[type[DomainError]]:
        return [cls] + [c for sub in cls.__subclasses__() for c in walk(sub)]

    import backend.audit.signatures
    import backend.auth.errors
    import backend.catalog.identifiers
    import backend.core.idempotency  # noqa: F401

    for cls in walk(DomainError):
        assert cls.code.isupper() and " " not in cls.code, cls
        assert cls.zh and cls.en, cls
        assert 400 <= cls.status < 500, cls


def test_an_error_parameter_named_like_a_standard_member_never_replaces_it():
    from backend.core.errors import RuleViolation
    from backend.core.problems import problem

    class Odd(RuleViolation):
        code = "ODD"
        zh = "状态 {status}"
        en = "status {status}"

    error = Odd(status="on_hold")
    response = problem(error.status, error.code, "t", "d", "en", error.extra())
    assert response.status_code == 422
    assert response.content["status"] == 422
    assert response.content["code"] == "ODD"
