"""The user's language from Accept-Language: zh-CN unless English is preferred."""

from __future__ import annotations

from backend.core.errors import Lang

DEFAULT_LANG: Lang = "zh-CN"


def pick_lang(accept_language: str | None) -> Lang:
    """The first supported language by q-value; Chinese of any region is zh-CN."""
    if not accept_language:
        return DEFAULT_LANG
    choices: list[tuple[float, int, Lang]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, *params = part.strip().split(";")
        q = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:  # RFC 9110: a weight is 0 to 1; others are broken
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary == "zh":
            choices.append((q, -index, "zh-CN"))
        elif primary == "en":
            choices.append((q, -index, "en"))
    choices = [c for c in choices if c[0] > 0]
    return max(choices)[2] if choices else DEFAULT_LANG
