"""The Chinese for the short English reasons that errors carry in their ``reason`` parameter.

Services raise ``InvalidInput(field="reason", reason="say why")``: the English reason is also the
machine-readable member of the problem document, and this catalogue gives the zh-CN message its
words. ``tests/unit/core/test_reasons.py`` reads every ``reason=`` in ``backend/`` and fails on
one this catalogue cannot translate, so a new reason needs its line here.

Pure: the standard library only, so ``errors.py`` (and through it ``rules.py``) may use it.
"""

from __future__ import annotations

import re

EXACT: dict[str, str] = {
    # what to give
    "say why": "请填写原因",
    "say why it comes back": "请说明退回原因",
    "say why fewer were picked": "请说明少拣的原因",
    "say why nothing was picked": "请说明未拣货的原因",
    "say why the line is rejected": "请说明拒收此行的原因",
    "say why units were rejected": "请说明拒收的原因",
    "say where the stock should go": "请指明库存去向",
    "a failed check with units accepted: explain": "检查未通过却接收了货物，请说明",
    "a person must sign": "必须由本人签名",
    "give a destination location or a customer": "请指定目的库位或客户",
    "give a lot or a serial": "请提供批号或序列号",
    "give a minimum or reorder point": "请设置最低库存或再订货点",
    "give a product or a barcode": "请提供产品或条码",
    "give a time zone (e.g. Z or +08:00)": "请带上时区（例如 Z 或 +08:00）",
    "give at least one level": "至少设置一个级别",
    "give both bounds or neither": "上下限须同时填写或同时留空",
    "name at least one role": "至少指定一个角色",
    "no purchase order given": "未指定采购订单",
    "scan the lot or the serial": "请扫描批号或序列号",
    "scan the serial of a serial-tracked unit": "序列号管理的产品请扫描序列号",
    # quantities and sizes
    "at least 1": "至少为 1",
    "at least 1 base unit": "至少为 1 个基本单位",
    "at least one line": "至少需要一行",
    "at least one role": "至少需要一个角色",
    "must be at least 1": "必须至少为 1",
    "must not be 0": "不能为 0",
    "must not be negative": "不能为负数",
    "quantities cannot be negative": "数量不能为负数",
    "too long": "过长",
    "exceeds shelf_life_days": "超过了有效期天数（shelf_life_days）",
    "between -200 and 100 °C": "须在 -200 到 100 °C 之间",
    "every unit was rejected: reject the line": "全部拒收：请拒收整行",
    # dates
    "after end": "晚于结束时间",
    "must not be in the future": "不能是将来的时间",
    "must not be in the past": "不能是过去的时间",
    "YYYY-MM": "格式须为 YYYY-MM",
    # choices
    "GS1, HIBC or MA": "须为 GS1、HIBC 或 MA",
    "admin or department_head": "须为管理员或科室主任",
    "intact, opened or damaged": "须为完好、已开封或已损坏",
    "open, acknowledged, snoozed, resolved or active": "须为未处理、已确认、已暂缓、已解决或进行中",
    "routine, urgent or emergency": "须为常规、紧急或特急",
    "storage, point of use or receiving": "须为存储、使用点或收货库位",
    "warn or block": "须为提醒或拦截",
    # locations
    "a department's point-of-use location": "须为科室的使用点库位",
    "a location of the same warehouse": "须为同一仓库的库位",
    "a location's policy is its par level": "库位的补货策略即其定数",
    "a point-of-use location belongs to a ward": "使用点库位须属于某个科室",
    "a receiving location of the warehouse": "须为该仓库的收货库位",
    "a storage location of this warehouse": "须为该仓库的存储库位",
    "another warehouse: use a transfer order": "属于另一仓库：请使用调拨单",
    "only point-of-use locations have one": "只有使用点库位才有此项",
    "put away from a receiving location": "须从收货库位上架",
    "no serving warehouse is set": "未设置供货仓库",
    # products, lots, serials, documents
    "a cold-chain product needs its range": "冷链产品须设置温度范围",
    "a serial appears twice": "序列号重复出现",
    "already on another line": "已在另一行中",
    "another supplier or warehouse": "供应商或仓库不符",
    "fifo only for products without shelf life": "只有无有效期的产品可用先进先出（FIFO）",
    "named twice": "重复指定",
    "no device identifier on it": "其中没有器械标识（DI）",
    "no serials on this line": "此行没有序列号",
    "no such line for this product": "没有此产品的订单行",
    "not a GS1 identifier of this product": "不是此产品的 GS1 标识",
    "not a line of this requisition": "不是此请领单的行",
    "not of the scanned lot": "不属于所扫描的批次",
    "not of this lot": "不属于此批次",
    "the barcode names another product": "条码对应的是另一个产品",
    "the product has no GS1 GTIN": "此产品没有 GS1 GTIN",
    "the product is not on it (or fully received)": "订单中没有此产品（或已全部收货）",
    "the symbol would not scan back to the same data": "生成的条码扫描结果与原数据不一致",
    "this product is not serial-tracked": "此产品不按序列号管理",
    "was not shipped on this order": "不在此单的发货内容中",
    "what arrived differs": "实收与发货不符",
    "must not contain the user name": "不能包含用户名",
    # records
    "retire it with a reason instead": "请改为填写原因后停用",
    "retired; reactivate it first": "已停用，请先重新启用",
    "the alert names no lot": "此预警未指向批次",
    "the alert names no product": "此预警未指向产品",
    "the alert names no warehouse": "此预警未指向仓库",
    # formats
    "8, 12, 13 or 14 digits": "须为 8、12、13 或 14 位数字",
    "LIC (4), product number (1-18), unit (1 digit)": (
        "须为 LIC（4 位）、产品编号（1–18 位）和单位（1 位数字）"
    ),
    "MA.<country>.<…> five segments": "须为 MA.<国家>.<…> 五段",
    "http(s)://host/...": "须为 http(s)://主机/...",
}

# Reasons with a value in them: the English pattern and the Chinese with the same names.
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), zh)
    for pattern, zh in [
        (r"one of (?P<x>.+)", "须为以下之一：{x}"),
        (r"(?P<x>[\w.-]+(?:, [\w.-]+)+)", "须为以下之一：{x}"),
        (r"(?P<x>[\w.-]+(?: or [\w.-]+)+)", "须为以下之一：{x}"),
        (r"at least (?P<n>\d+) characters", "至少 {n} 个字符"),
        (r"at most (?P<n>\d+) lines", "最多 {n} 行"),
        (r"between (?P<a>-?\d+) and (?P<b>-?\d+)", "须在 {a} 到 {b} 之间"),
        (r"must be above (?P<x>\S+)", "须大于 {x}"),
        (r"more than the (?P<n>\d+) shipped", "超过了发货数量 {n}"),
        (r"accepted \+ rejected must be (?P<n>\d+)", "接收数 + 拒收数须等于 {n}"),
        (r"name the (?P<n>\d+) rejected serials", "请列出拒收的 {n} 个序列号"),
        (r"(?P<s>\S+) not received", "序列号 {s} 未收到"),
        (r"unknown warehouse (?P<x>\S+)", "未知仓库 {x}"),
        (r"unknown department (?P<x>\S+)", "未知科室 {x}"),
        (r"it is (?P<x>\S+)", "其状态为 {x}"),
        (r"already on hand at location (?P<x>\S+)", "已在库位 {x} 有库存"),
        (r"lot (?P<lot>.+) is recorded with expiry (?P<e>\S+)", "批号 {lot} 已登记的有效期为 {e}"),
        (
            r"lot (?P<lot>.*) serial (?P<s>.*) was not shipped on this requisition",
            "批号 {lot} 序列号 {s} 不在此请领单的发货内容中",
        ),
    ]
]


def zh(reason: str) -> str | None:
    """The Chinese for an English reason, or None when the catalogue has none."""
    exact = EXACT.get(reason)
    if exact is not None:
        return exact
    for pattern, template in PATTERNS:
        match = pattern.fullmatch(reason)
        if match:
            return template.format(**match.groupdict())
    return None
