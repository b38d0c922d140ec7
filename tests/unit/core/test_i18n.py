"""Accept-Language: zh-CN unless English is preferred, by q-value."""

from __future__ import annotations

import pytest

from backend.core.i18n import pick_lang


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "zh-CN"),
        ("", "zh-CN"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN-gb", "en"),
        ("zh-TW", "zh-CN"),
        ("zh-Hans-CN,zh;q=0.9", "zh-CN"),
        ("fr-FR, de", "zh-CN"),  # nothing supported: the default
        ("fr-FR, en;q=0.5", "en"),
        ("zh-CN;q=0.4, en;q=0.8", "en"),
        ("en;q=0.4, zh-CN;q=0.8", "zh-CN"),
        ("en, zh", "en"),  # equal weights: the first listed wins
        ("zh, en", "zh-CN"),
        ("en;q=0, zh;q=0.1", "zh-CN"),  # q=0 means "not acceptable"
        ("en;q=0", "zh-CN"),
        ("en;q=abc, zh;q=0.5", "zh-CN"),  # a broken weight is ignored
        ("en; q=0.9, zh; q=0.8", "en"),  # spaces around parameters
        ("en;Q=0.9, zh;q=0.8", "en"),  # the parameter name is case-insensitive
        ("zh;foo=bar;q=0.1, en;q=0.5", "en"),  # q after another parameter still counts
        ("en;q=5, zh;q=0.5", "zh-CN"),  # out of range: ignored
        ("*", "zh-CN"),
    ],
)
def test_the_language_is_picked_by_q_value(header, lang):
    assert pick_lang(header) == lang
