"""Typed refusals of the requisitions domain, each with a stable code (pure: rules raise them)."""

from __future__ import annotations

from backend.core.errors import Conflict, InvalidInput, Lang, PermissionDenied, RuleViolation
from backend.requisitions import words

# The zh-CN side goes through DomainError's own ``zh_words`` (so tests/unit/core/test_reasons.py
# checks every literal code raised); only the en side needs words.py (its verb / participle
# forms, "being picked" for picking), which zh_words cannot say.
_STATUS_ZH = {key: word.zh for key, word in words.STATUS.items()}
_ACTION_ZH = {key: word.zh for key, word in words.ACTION.items()}


class NotInCatalogue(RuleViolation):
    code = "NOT_IN_DEPARTMENT_CATALOGUE"
    zh = "产品 {product} 不在本科室的请领目录中"
    en = "Product {product} is not in the department's catalogue"


class QuantityOutOfRange(InvalidInput):
    code = "REQUISITION_QUANTITY"
    zh = "数量 {quantity} 无效：应在 1 到 {limit} 之间"
    en = "Quantity {quantity} is not valid: it must be between 1 and {limit}"


class OwnRequisition(PermissionDenied):
    code = "OWN_REQUISITION"
    zh = "不能审批自己提交的请领单"
    en = "You cannot approve a requisition you requested"


class NotAnApprover(PermissionDenied):
    code = "NOT_AN_APPROVER"
    zh = "您不能进行第 {level} 级审批"
    en = "You may not give the level {level} approval"


class AlreadyApproved(PermissionDenied):
    code = "SAME_APPROVER"
    zh = "同一人不能进行两级审批"
    en = "The same person cannot give both approval levels"


class BudgetExceeded(Conflict):
    code = "BUDGET_EXCEEDED"
    zh = "超出科室 {period} 预算：剩余 {remaining} 分，本单 {amount} 分"
    en = (
        "Over the department's budget for {period}: {remaining} left, "
        "this needs {amount} (minor units)"
    )


class QuotaExceeded(Conflict):
    code = "QUOTA_EXCEEDED"
    zh = "产品 {product} 超出科室 {period} 定额：剩余 {remaining}，本单 {quantity}"
    en = (
        "Product {product} is over the department's quota for {period}: "
        "{remaining} left, {quantity} asked"
    )


class RequisitionState(Conflict):
    """``state`` is the status (``picking``), ``action`` a verb of ``words.ACTION`` (``ship``):
    both stay machine-readable in the problem document; the texts say them in words (zh-CN
    through ``zh_words``, en through ``words``)."""

    code = "REQUISITION_STATE"
    zh = "请领单 {requisition} 当前状态为「{state}」，不能{action}"
    en = "Requisition {requisition} is {state} and cannot be {action}"
    zh_words = {"state": _STATUS_ZH, "action": _ACTION_ZH}

    def message(self, lang: Lang) -> str:
        if lang == "zh-CN":
            return super().message(lang)
        return self.en.format(
            requisition=self.params.get("requisition"),
            state=words.status(self.params.get("state"), lang),
            action=words.action(self.params.get("action"), lang, done=True),
        )


class ReasonRequired(InvalidInput):
    code = "REASON_REQUIRED"
    zh = "请填写原因：{what}"
    en = "Give the reason: {what}"


class NotEquivalent(RuleViolation):
    code = "SUBSTITUTE_NOT_EQUIVALENT"
    zh = "替代产品 {substitute} 与 {product} 不属于同一类别"
    en = "Substitute {substitute} is not equivalent to {product} (another category)"


class PatientReferenceInvalid(InvalidInput):
    code = "PATIENT_REFERENCE_INVALID"
    zh = "患者标识无效：须为假名化编号（字母、数字、短横线，{min}–{max} 位，含数字），不得填写姓名"
    en = (
        "The patient reference must be a pseudonymous id (letters, digits and dashes, "
        "{min}-{max} characters, with a digit), never a name"
    )


class PatientUseRequired(InvalidInput):
    code = "PATIENT_USE_REQUIRED"
    zh = "植入物及序列号管理的器械须记录患者标识、手术和术者"
    en = (
        "An implant or serial-tracked device is recorded with patient reference, "
        "procedure and surgeon"
    )


class NotInCabinet(Conflict):
    code = "NOT_IN_CABINET"
    zh = "该器械（批次 {lot}{serial}）不在库位 {location} 中，或数量不足（可用 {available}）"
    en = (
        "The unit (lot {lot}{serial}) is not in location {location}, "
        "or not enough ({available} there)"
    )


class NoPointOfUse(RuleViolation):
    code = "NO_POINT_OF_USE"
    zh = "科室 {department} 没有服务仓库内的使用点库位"
    en = "Department {department} has no point-of-use location in its serving warehouse"


class NothingToShip(Conflict):
    """``action``: a verb of ``words.ACTION`` (``ship``, ``receive``, ``allocate``, ``cancel``)."""

    code = "NOTHING_TO_SHIP"
    zh = "请领单 {requisition} 没有可{action}的货物"
    en = "Requisition {requisition} has nothing to {action}"
    zh_words = {"action": _ACTION_ZH}

    def message(self, lang: Lang) -> str:
        if lang == "zh-CN":
            return super().message(lang)
        return self.en.format(
            requisition=self.params.get("requisition"),
            action=words.action(self.params.get("action"), lang),
        )


class PickingOpen(Conflict):
    code = "PICKING_OPEN"
    zh = "请领单 {requisition} 还有 {open} 行未拣货：拣完（或登记短拣）后才能发货"
    en = (
        "Requisition {requisition} still has {open} pick line(s) open: pick them "
        "(or record a short pick) before shipping"
    )
