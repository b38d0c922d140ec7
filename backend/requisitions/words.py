"""The words for a requisition's statuses, urgencies and actions in zh-CN and en, for sentences
the server writes itself (the en side of error details, the delivery note; the zh-CN side of
an error goes through its ``zh_words``). Pure: standard library only, so
``errors.py`` and ``rules.py`` may use it. The PWA has its own copy of the status words
(``pwa/src/ward/messages.ts`` ``ward.status``); keep the zh-CN ones the same."""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

Lang = Literal["zh-CN", "en"]


class Word(NamedTuple):
    zh: str
    en: str
    """As it reads after "is": "Requisition REQ-7 is being picked"."""


class Action(NamedTuple):
    zh: str
    """As it reads after 不能 / 没有可…的货物."""
    en: str
    """The verb: "has nothing to ship"."""
    en_done: str
    """The participle: "cannot be shipped"."""


STATUS: Final[dict[str, Word]] = {
    "draft": Word("草稿", "a draft"),
    "submitted": Word("已提交", "submitted"),
    "approved": Word("已批准", "approved"),
    "rejected": Word("已驳回", "rejected"),
    "picking": Word("拣货中", "being picked"),
    "back_ordered": Word("缺货待补", "back-ordered"),
    "shipped": Word("已发出", "shipped"),
    "delivered": Word("已送达", "delivered"),
    "received": Word("已签收", "received"),
    "cancelled": Word("已取消", "cancelled"),
}

URGENCY: Final[dict[str, Word]] = {
    "routine": Word("常规", "routine"),
    "urgent": Word("紧急", "urgent"),
    "emergency": Word("抢救", "emergency"),
}

ACTION: Final[dict[str, Action]] = {
    "edit": Action("修改", "edit", "edited"),
    "submit": Action("提交", "submit", "submitted"),
    "approve": Action("审批", "approve", "approved"),
    "reject": Action("驳回", "reject", "rejected"),
    "cancel": Action("取消", "cancel", "cancelled"),
    "release": Action("下发拣货", "release to picking", "released to picking"),
    "allocate": Action("重新分配", "allocate", "allocated again"),
    "ship": Action("发货", "ship", "shipped"),
    "deliver": Action("确认送达", "deliver", "delivered"),
    "receive": Action("签收", "receive", "received"),
}
"""Keyed by the verb the services pass (``rules.check_transition``, ``NothingToShip``)."""


def status(key: object, lang: Lang) -> str:
    """The status in words; an unknown key as it is."""
    word = STATUS.get(str(key))
    if word is None:
        return str(key)
    return word.zh if lang == "zh-CN" else word.en


def urgency(key: object, lang: Lang) -> str:
    word = URGENCY.get(str(key))
    if word is None:
        return str(key)
    return word.zh if lang == "zh-CN" else word.en


def action(key: object, lang: Lang, *, done: bool = False) -> str:
    """The action in words: zh-CN, the en verb, or (``done``) the en participle."""
    word = ACTION.get(str(key))
    if word is None:
        return str(key)
    if lang == "zh-CN":
        return word.zh
    return word.en_done if done else word.en
