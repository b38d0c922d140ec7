"""Typed refusals of the alerts domain, each with a stable code (pure: rules may raise them)."""

from __future__ import annotations

from backend.core.errors import Conflict, InvalidInput, RuleViolation


class RuleParameterNegative(InvalidInput):
    code = "ALERT_RULE_NEGATIVE"
    zh = "规则参数 {field} 不能为负数"
    en = "Rule parameter {field} must not be negative"


class RuleLevelsUnordered(InvalidInput):
    code = "ALERT_RULE_LEVELS_UNORDERED"
    zh = "规则参数 {field} 的级别必须按天数递减、严重程度递增，且不能重叠"
    en = "The levels of {field} must have strictly fewer days and no lower severity each"


class RuleUnknownCategory(InvalidInput):
    code = "ALERT_RULE_UNKNOWN_CATEGORY"
    zh = "规则参数 {field}：未知的产品类别 {category}"
    en = "Rule parameter {field}: unknown product category {category}"


class RuleUnknownProduct(InvalidInput):
    code = "ALERT_RULE_UNKNOWN_PRODUCT"
    zh = "规则参数 {field}：未知的产品 {product}"
    en = "Rule parameter {field}: unknown product {product}"


class RuleUnknownRole(InvalidInput):
    code = "ALERT_RULE_UNKNOWN_ROLE"
    zh = "规则参数 {field}：未知的角色 {role}"
    en = "Rule parameter {field}: unknown role {role}"


class RuleParameterInvalid(InvalidInput):
    code = "ALERT_RULE_INVALID"
    zh = "规则参数 {field} 无效：{reason}"
    en = "Rule parameter {field} is not valid: {reason}"


class RuleSetVersionUnknown(InvalidInput):
    code = "ALERT_RULE_VERSION_UNKNOWN"
    zh = "规则集版本 {version} 不存在"
    en = "Rule set version {version} does not exist"


class AlertResolved(RuleViolation):
    code = "ALERT_RESOLVED"
    zh = "预警 {alert} 已解除，不能再处理"
    en = "Alert {alert} is resolved and cannot be acted on"


class SnoozeInPast(InvalidInput):
    code = "ALERT_SNOOZE_IN_PAST"
    zh = "暂停提醒的截止时间必须晚于现在"
    en = "A snooze must last until a time in the future"


class ActionNotApplicable(RuleViolation):
    code = "ALERT_ACTION_NOT_APPLICABLE"
    zh = "此预警不能执行操作 {action}：{reason}"
    en = "Action {action} does not apply to this alert: {reason}"


class WebhookUrlInvalid(InvalidInput):
    code = "WEBHOOK_URL_INVALID"
    zh = "Webhook 地址无效：{reason}"
    en = "The webhook URL is not valid: {reason}"


class RuleSetChanged(Conflict):
    code = "ALERT_RULE_SET_CHANGED"
    zh = "规则集已被他人修改（当前版本 {version}）"
    en = "The rule set was changed meanwhile (now version {version})"
