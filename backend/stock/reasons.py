"""Numbered reason codes of ledger entries: stable numbers, stored on every entry.

A number never changes meaning and is never reused. Tens group the flows: 1x receipt,
2x inspection, 3x putaway, 4x moves, 5x picking and issue, 6x transit, 7x returns,
8x adjustments, 9x disposal and recall.
"""

from __future__ import annotations

from enum import IntEnum


class Reason(IntEnum):
    receipt = 10
    reject_out = 20
    reject_in = 21
    putaway_out = 30
    putaway_in = 31
    transfer_out = 40
    transfer_in = 41
    pick_out = 50
    pick_in = 51
    issue_customer = 55
    consume = 56
    transit_receive_out = 60
    transit_receive_in = 61
    transit_loss = 62
    return_out = 70
    return_in = 71
    adjust_count_gain = 80
    adjust_count_loss = 81
    adjust_damage = 82
    adjust_correction_in = 83
    adjust_correction_out = 84
    adjust_found = 85
    adjust_expired_writeoff = 86
    disposal = 90
    recall_return = 91


LABELS: dict[Reason, tuple[str, str]] = {
    Reason.receipt: ("收货", "Receipt"),
    Reason.reject_out: ("验收不合格移出", "Rejected on inspection: out"),
    Reason.reject_in: ("验收不合格移入隔离区", "Rejected on inspection: into quarantine"),
    Reason.putaway_out: ("上架移出", "Putaway: out"),
    Reason.putaway_in: ("上架移入", "Putaway: in"),
    Reason.transfer_out: ("移库移出", "Transfer: out"),
    Reason.transfer_in: ("移库移入", "Transfer: in"),
    Reason.pick_out: ("拣货出库", "Pick: out of storage"),
    Reason.pick_in: ("拣货入在途", "Pick: into transit"),
    Reason.issue_customer: ("发往客户", "Shipped to a customer"),
    Reason.consume: ("科室使用消耗", "Used at the point of use"),
    Reason.transit_receive_out: ("在途签收移出", "Transit received: out of transit"),
    Reason.transit_receive_in: ("在途签收移入", "Transit received: in"),
    Reason.transit_loss: ("在途差异", "Transit discrepancy"),
    Reason.return_out: ("科室退货移出", "Department return: out"),
    Reason.return_in: ("科室退货移入", "Department return: in"),
    Reason.adjust_count_gain: ("盘盈", "Count gain"),
    Reason.adjust_count_loss: ("盘亏", "Count loss"),
    Reason.adjust_damage: ("破损", "Damaged"),
    Reason.adjust_correction_in: ("更正增加", "Correction: add"),
    Reason.adjust_correction_out: ("更正减少", "Correction: remove"),
    Reason.adjust_found: ("找到", "Found"),
    Reason.adjust_expired_writeoff: ("过期核销", "Expired write-off"),
    Reason.disposal: ("报废", "Disposal"),
    Reason.recall_return: ("召回退回", "Recall return"),
}

ADJUSTMENTS_IN = frozenset(
    {Reason.adjust_count_gain, Reason.adjust_correction_in, Reason.adjust_found}
)
ADJUSTMENTS_OUT = frozenset(
    {
        Reason.adjust_count_loss,
        Reason.adjust_damage,
        Reason.adjust_correction_out,
        Reason.adjust_expired_writeoff,
    }
)

ISSUING = frozenset({Reason.pick_out, Reason.issue_customer, Reason.consume})
"""Entries that hand stock on to use: the lot must have been usable at that moment."""


def label(reason: Reason, lang: str) -> str:
    zh, en = LABELS[reason]
    return zh if lang == "zh-CN" else en
