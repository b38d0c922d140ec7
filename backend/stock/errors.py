"""Typed refusals of the stock domain, each with a stable code (pure: rules may raise them)."""

from __future__ import annotations

from backend.core.errors import Conflict, InvalidInput, RuleViolation


class InsufficientStock(Conflict):
    code = "INSUFFICIENT_STOCK"
    zh = "库存不足：需要 {wanted}，可用 {available}"
    en = "Not enough stock: {wanted} wanted, {available} available"


class LotExpired(RuleViolation):
    code = "LOT_EXPIRED"
    zh = "批次 {lot} 已于 {expiry} 过期，不能使用"
    en = "Lot {lot} expired on {expiry} and cannot be used"


class LotNotReleased(RuleViolation):
    code = "LOT_NOT_RELEASED"
    zh = "批次 {lot} 尚未放行（状态：{state}）"
    en = "Lot {lot} is not released (status: {state})"


class LotOnHold(RuleViolation):
    code = "LOT_ON_HOLD"
    zh = "批次 {lot} 已冻结"
    en = "Lot {lot} is on hold"


class LotRecalled(RuleViolation):
    code = "LOT_RECALLED"
    zh = "批次 {lot} 已召回"
    en = "Lot {lot} is recalled"


class LotRejected(RuleViolation):
    code = "LOT_REJECTED"
    zh = "批次 {lot} 验收不合格"
    en = "Lot {lot} was rejected"


class SerialNotUsable(RuleViolation):
    code = "SERIAL_NOT_USABLE"
    zh = "序列号 {serial} 不可用（状态：{state}）"
    en = "Serial {serial} cannot be used (status: {state})"


class StatusTransition(RuleViolation):
    code = "STATUS_TRANSITION"
    zh = "状态不能从 {old} 变为 {new}"
    en = "The status cannot change from {old} to {new}"


class LocationNotUsable(RuleViolation):
    code = "LOCATION_KIND"
    zh = "库位 {location} 的类型 {kind} 不允许此操作"
    en = "Location {location} of kind {kind} cannot be used here"


class TemperatureClass(RuleViolation):
    code = "LOCATION_TEMPERATURE_CLASS"
    zh = "冷链产品 {product} 不能放入温区不符的库位 {location}"
    en = "Cold-chain product {product} cannot go to location {location}: wrong temperature class"


class SerialRequired(InvalidInput):
    code = "SERIAL_REQUIRED"
    zh = "序列号管理的产品需要逐个序列号操作，数量为 1"
    en = "A serial-tracked product moves one serial at a time, quantity 1"


class SerialMismatch(InvalidInput):
    code = "SERIAL_NOT_OF_LOT"
    zh = "序列号 {serial} 不属于该批次"
    en = "Serial {serial} does not belong to this lot"


class WrongProduct(RuleViolation):
    code = "PICK_WRONG_PRODUCT"
    zh = "扫描的产品与拣货行不符"
    en = "The scanned item is not the product of this pick line"


class PickLineClosed(Conflict):
    code = "PICK_LINE_CLOSED"
    zh = "拣货行 {line} 已确认或已取消"
    en = "Pick line {line} is already confirmed or cancelled"


class DeviationReasonRequired(InvalidInput):
    code = "FEFO_DEVIATION_REASON"
    zh = "拣取了非分配批次，请填写偏离先到期先出的原因"
    en = "A lot other than the allocated one was picked: give the reason for the FEFO deviation"


class PickQuantityExceeded(InvalidInput):
    code = "PICK_QUANTITY_EXCEEDED"
    zh = "拣货数量 {quantity} 超过分配数量 {allocated}"
    en = "Picked quantity {quantity} exceeds the allocated {allocated}"


class DocumentState(Conflict):
    code = "DOCUMENT_STATE"
    zh = "{document} 当前状态为「{state}」，不能{action}"
    en = "{document} is {state} and cannot be {action}"
    zh_words = {
        "state": {
            "open": "待处理",
            "allocated": "已分配",
            "picked": "已拣货",
            "short": "短拣",
            "done": "已完成",
            "shipped": "已发出",
            "received": "已收货",
            "cancelled": "已取消",
        },
        "action": {
            "allocated": "分配库存",
            "picked": "拣货",
            "shipped": "发货",
            "received": "收货",
            "cancelled": "取消",
        },
    }


class DocumentOwned(Conflict):
    code = "DOCUMENT_OWNED"
    zh = "{document} 属于{owner}，请在{owner}中办理"
    en = "{document} belongs to a {owner}; handle it there"
    zh_words = {"owner": {"requisition": "请领单"}}


class NoLocationOfKind(RuleViolation):
    code = "NO_LOCATION_OF_KIND"
    zh = "仓库 {warehouse} 没有 {kind} 类型的库位"
    en = "Warehouse {warehouse} has no location of kind {kind}"


class SameLocation(InvalidInput):
    code = "SAME_LOCATION"
    zh = "来源和目标库位相同"
    en = "Source and destination are the same location"


class ReasonNotAllowed(InvalidInput):
    code = "REASON_NOT_ALLOWED"
    zh = "原因代码 {reason} 不能用于此操作"
    en = "Reason code {reason} cannot be used for this action"


class SerialKnown(Conflict):
    code = "SERIAL_KNOWN"
    zh = "序列号 {serial} 已存在"
    en = "Serial {serial} is already known"
