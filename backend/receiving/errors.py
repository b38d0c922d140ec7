"""Typed refusals of receiving, each with a stable code (pure: rules may raise them)."""

from __future__ import annotations

from backend.core.errors import Conflict, InvalidInput, RuleViolation


class SupplierLicenceLapsed(RuleViolation):
    code = "SUPPLIER_LICENCE_LAPSED"
    zh = "供应商 {supplier} 的资质已过期：{kinds}"
    en = "Supplier {supplier} has a lapsed licence: {kinds}"


class RegistrationLapsed(RuleViolation):
    code = "PRODUCT_REGISTRATION_LAPSED"
    zh = "产品 {product} 的注册证 {registration} 已于 {valid_until} 过期"
    en = "The registration {registration} of product {product} lapsed on {valid_until}"


class ShelfLifeTooShort(RuleViolation):
    code = "SHELF_LIFE_TOO_SHORT"
    zh = "批次 {lot} 剩余效期 {days} 天，少于要求的 {minimum} 天"
    en = "Lot {lot} has {days} days of shelf life left, less than the {minimum} required"


class ExpiryRequired(InvalidInput):
    code = "EXPIRY_REQUIRED"
    zh = "该产品有效期管理，需填写有效期"
    en = "This product has a shelf life: give the expiry date"


class LotNumberRequired(InvalidInput):
    code = "LOT_NUMBER_REQUIRED"
    zh = "该产品按批号管理，需填写批号"
    en = "This product is lot-tracked: give the lot number"


class SerialCountMismatch(InvalidInput):
    code = "SERIAL_COUNT_MISMATCH"
    zh = "序列号数量 {serials} 与收货数量 {quantity} 不一致"
    en = "{serials} serials given for a quantity of {quantity}"


class ColdChainTemperature(RuleViolation):
    code = "COLD_CHAIN_TEMPERATURE"
    zh = "冷链产品到货温度 {temperature} 不在 {low}～{high} °C 范围内，拒收"
    en = "Cold-chain arrival temperature {temperature} is outside {low} to {high} °C: refused"


class ColdChainTemperatureMissing(InvalidInput):
    code = "COLD_CHAIN_TEMPERATURE_MISSING"
    zh = "冷链产品需记录到货温度"
    en = "A cold-chain line needs its arrival temperature"


class PurchaseOrderMismatch(InvalidInput):
    code = "PURCHASE_ORDER_MISMATCH"
    zh = "采购订单 {order} 不包含此项：{reason}"
    en = "Purchase order {order} does not cover this: {reason}"


class PurchaseOrderExceeded(RuleViolation):
    code = "PURCHASE_ORDER_EXCEEDED"
    zh = "收货数量超过采购订单剩余数量 {remaining}"
    en = "More than the {remaining} still open on the purchase order"


class InspectionMismatch(InvalidInput):
    code = "INSPECTION_QUANTITIES"
    zh = "验收数量不符：{reason}"
    en = "The inspection quantities do not add up: {reason}"


class LineState(Conflict):
    code = "RECEIPT_LINE_STATE"
    zh = "收货行 {line} 当前状态为 {state}，不能{action}"
    en = "Receipt line {line} is {state} and cannot be {action}"


class UnknownIdentifier(InvalidInput):
    code = "IDENTIFIER_UNKNOWN"
    zh = "扫描的标识 {di} 不属于任何产品"
    en = "The scanned identifier {di} belongs to no product"


class AwaitingInspection(RuleViolation):
    code = "AWAITING_INSPECTION"
    zh = "批次 {lot} 在收货区仍有待验收或待放行的货物，不能上架"
    en = "Lot {lot} still has goods awaiting inspection or QA release here: not put away yet"


class PromisedBeforeOrder(InvalidInput):
    code = "PURCHASE_ORDER_PROMISED_BEFORE_ORDER"
    zh = "承诺到货日期 {promised} 早于下单日期 {ordered}"
    en = "The promised delivery date {promised} is before the order date {ordered}"


class PurchaseOrderNotOpen(Conflict):
    code = "PURCHASE_ORDER_NOT_OPEN"
    zh = "采购订单 {order} 当前状态为 {status}，不能修改"
    en = "Purchase order {order} is {status} and cannot be changed"


class LotExpiryMismatch(RuleViolation):
    code = "LOT_EXPIRY_MISMATCH"
    zh = "批号 {lot} 已登记的有效期为 {recorded}，与本次收货的 {received} 不一致，拒收"
    en = "Lot {lot} is recorded with expiry {recorded}, not {received}: refused"
