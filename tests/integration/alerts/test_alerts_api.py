"""The alerts API over HTTP: inbox filters and paging by scope and role, badge counts,
acknowledge, snooze, actions (each audited), the rule set (update, versions, rollback, refusals
as problem+json naming the field), stock policies and webhook administration."""

from __future__ import annotations

from datetime import timedelta

import httpx

from backend.alerts.evaluation import engine
from backend.alerts.ruleset import DEFAULT, to_builtins
from backend.core import clock, db
from tests.integration.alerts.world import World, build_world, make_lot, policy, put


async def _world_with_alerts() -> tuple[World, dict[str, int]]:
    w = await build_world()
    near = await make_lot(w.syringe, "L1", w.today + timedelta(days=20))  # critical, wh A
    later = await make_lot(w.stent, "S1", w.today + timedelta(days=150))  # info, wh A
    far = await make_lot(w.syringe, "B1", w.today + timedelta(days=20))  # critical, wh B
    await put(near, w.storage_a, 5)
    await put(later, w.storage_a, 5)
    await put(far, w.storage_b, 5)
    await policy(w.syringe, w.wh_a, reorder_point=50)  # low stock, wh A
    await engine.sweep(DEFAULT)
    rows = await db.fetch("SELECT id, rule, lot, warehouse FROM alert")
    ids = {f"{r['rule']}:{r['lot'] or r['warehouse']}": int(r["id"]) for r in rows}
    return w, {
        "near": ids[f"near_expiry:{near}"],
        "later": ids[f"near_expiry:{later}"],
        "far": ids[f"near_expiry:{far}"],
        "low": ids[f"low_stock:{w.wh_a}"],
    }


async def test_the_inbox_shows_alerts_in_scope_for_ones_role_most_severe_first(
    client: httpx.AsyncClient,
) -> None:
    w, ids = await _world_with_alerts()
    page = (await client.get("/api/v1/alerts", headers=w.admin.headers)).json()
    assert page["total"] == 4 and page["items"][0]["severity"] == "critical"
    keeper = (await client.get("/api/v1/alerts", headers=w.keeper_a.headers)).json()
    # warehouse staff of A: not B's alert, not the info level (purchasers only)
    assert {a["id"] for a in keeper["items"]} == {ids["near"], ids["low"]}
    buyer = (await client.get("/api/v1/alerts?severity=info", headers=w.purchaser.headers)).json()
    assert [a["id"] for a in buyer["items"]] == [ids["later"]]
    assert buyer["items"][0]["title_en"].startswith("Near expiry")
    paged = (
        await client.get(
            "/api/v1/alerts?limit=1&offset=1&rule=near_expiry", headers=w.admin.headers
        )
    ).json()
    assert paged["total"] == 3 and len(paged["items"]) == 1
    by_wh = await client.get(f"/api/v1/alerts?warehouse={w.wh_b}", headers=w.admin.headers)
    assert [a["id"] for a in by_wh.json()["items"]] == [ids["far"]]
    other = await client.get(f"/api/v1/alerts/{ids['near']}", headers=w.keeper_b.headers)
    assert other.status_code == 404  # outside the caller's scope: as if missing


async def test_counts_acknowledge_and_snooze(client: httpx.AsyncClient) -> None:
    w, ids = await _world_with_alerts()
    counts = (await client.get("/api/v1/alerts/counts", headers=w.keeper_a.headers)).json()
    assert counts["open"] == 2 and counts["open_by_severity"]["critical"] == 1
    ack = await client.post(f"/api/v1/alerts/{ids['near']}/acknowledge", headers=w.keeper_a.headers)
    assert ack.status_code == 200 and ack.json()["state"] == "acknowledged"
    assert ack.json()["acknowledged_by"] == w.keeper_a.id
    past = await client.post(
        f"/api/v1/alerts/{ids['low']}/snooze",
        headers=w.keeper_a.headers,
        json={"until": "2020-01-01T00:00:00Z", "reason": "later"},
    )
    assert past.status_code == 422 and past.json()["code"] == "ALERT_SNOOZE_IN_PAST"
    until = (clock.now() + timedelta(hours=4)).isoformat()
    snoozed = await client.post(
        f"/api/v1/alerts/{ids['low']}/snooze",
        headers=w.keeper_a.headers,
        json={"until": until, "reason": "delivery due this afternoon"},
    )
    assert snoozed.json()["state"] == "snoozed"
    assert snoozed.json()["snooze_reason"] == "delivery due this afternoon"
    counts = (await client.get("/api/v1/alerts/counts", headers=w.keeper_a.headers)).json()
    assert counts["by_state"] == {"open": 0, "acknowledged": 1, "snoozed": 1}
    audit = await db.fetch("SELECT action FROM audit_entry WHERE entity = 'alert' ORDER BY id")
    assert [a["action"] for a in audit] == ["acknowledge", "snooze"]
    nurse = await client.post(f"/api/v1/alerts/{ids['low']}/acknowledge", headers=w.nurse.headers)
    assert nurse.status_code == 403


async def test_an_escalation_reopens_an_acknowledged_alert(client: httpx.AsyncClient) -> None:
    w = await build_world()
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=100))
    await put(lot, w.storage_a, 5)
    await engine.sweep(DEFAULT)
    (row,) = await db.fetch("SELECT id FROM alert")
    await client.post(f"/api/v1/alerts/{row['id']}/acknowledge", headers=w.admin.headers)
    await engine.sweep(DEFAULT, today=clock.today() + timedelta(days=20))
    alert = (await client.get(f"/api/v1/alerts/{row['id']}", headers=w.admin.headers)).json()
    assert (alert["state"], alert["severity"]) == ("open", "warning")
    assert alert["escalated_at"] is not None and alert["acknowledged_at"] is None


async def test_actions_from_an_alert_create_drafts_and_hold_the_lot(
    client: httpx.AsyncClient,
) -> None:
    w, ids = await _world_with_alerts()
    req = await client.post(
        f"/api/v1/alerts/{ids['low']}/actions",
        headers=w.purchaser.headers,
        json={"kind": "requisition"},
    )
    assert req.status_code == 201, req.text
    (draft,) = await db.fetch("SELECT * FROM purchase_requisition")
    assert (draft["status"], draft["quantity"], draft["alert"]) == ("draft", 45, ids["low"])
    count = await client.post(
        f"/api/v1/alerts/{ids['near']}/actions",
        headers=w.keeper_a.headers,
        json={"kind": "cycle_count", "note": "check shelf"},
    )
    assert count.json()["kind"] == "cycle_count"
    move = await client.post(
        f"/api/v1/alerts/{ids['near']}/actions",
        headers=w.keeper_a.headers,
        json={"kind": "transfer", "to_warehouse": w.wh_b, "quantity": 5},
    )
    assert move.status_code == 201
    (suggestion,) = await db.fetch("SELECT * FROM transfer_suggestion")
    assert (suggestion["from_warehouse"], suggestion["to_warehouse"]) == (w.wh_a, w.wh_b)
    keeper_hold = await client.post(
        f"/api/v1/alerts/{ids['near']}/actions", headers=w.keeper_a.headers, json={"kind": "hold"}
    )
    assert keeper_hold.status_code == 403  # holding a lot is QA's
    hold = await client.post(
        f"/api/v1/alerts/{ids['near']}/actions",
        headers=w.qa.headers,
        json={"kind": "hold", "note": "expiring, keep for disposal"},
    )
    assert hold.status_code == 201 and hold.json()["status"] == "on_hold"
    (lot,) = await db.fetch(
        "SELECT status FROM lot WHERE id = (SELECT lot FROM alert WHERE id = {})", ids["near"]
    )
    assert lot["status"] == "on_hold"
    acts = await db.fetch(
        "SELECT action, entity FROM audit_entry WHERE entity = 'alert' AND action = 'act'"
    )
    assert len(acts) == 4
    no_lot = await client.post(
        f"/api/v1/alerts/{ids['low']}/actions", headers=w.admin.headers, json={"kind": "hold"}
    )
    assert no_lot.status_code == 422 and no_lot.json()["code"] == "ALERT_ACTION_NOT_APPLICABLE"


async def test_the_rule_set_is_versioned_audited_and_rolled_back(client: httpx.AsyncClient) -> None:
    w = await build_world()
    first = (await client.get("/api/v1/alert-rules", headers=w.keeper_a.headers)).json()
    assert first["version"] == 0 and first["params"]["near_expiry"]["levels"][0]["days"] == 180
    params = to_builtins(DEFAULT)
    params["slow_moving"]["days"] = 90
    params["near_expiry"]["by_category"] = {
        "stent": [{"days": 365, "severity": "warning", "roles": ["qa"]}]
    }
    put1 = await client.put(
        "/api/v1/alert-rules",
        headers=w.admin.headers,
        json={"params": params, "note": "stents earlier"},
    )
    assert put1.status_code == 200 and put1.json()["version"] == 1
    params["slow_moving"]["days"] = 60
    put2 = await client.put(
        "/api/v1/alert-rules",
        headers=w.admin.headers,
        json={"params": params, "expected_version": 1},
    )
    assert put2.json()["version"] == 2
    stale = await client.put(
        "/api/v1/alert-rules",
        headers=w.admin.headers,
        json={"params": params, "expected_version": 1},
    )
    assert stale.status_code == 409
    back = await client.post(
        "/api/v1/alert-rules/rollback",
        headers=w.admin.headers,
        json={"version": 1, "note": "60 was too eager"},
    )
    assert back.json()["version"] == 3 and back.json()["params"]["slow_moving"]["days"] == 90
    versions = (await client.get("/api/v1/alert-rules/versions", headers=w.admin.headers)).json()
    assert [(v["version"], v["based_on"], v["active"]) for v in versions["items"]] == [
        (3, 1, True),
        (2, 1, False),
        (1, None, False),
    ]
    audit = await db.fetch(
        "SELECT action FROM audit_entry WHERE entity = 'alert_rule_set' ORDER BY id"
    )
    assert [a["action"] for a in audit] == ["update", "update", "rollback"]
    denied = await client.put(
        "/api/v1/alert-rules", headers=w.purchaser.headers, json={"params": params}
    )
    assert denied.status_code == 403
    unknown = await client.post(
        "/api/v1/alert-rules/rollback", headers=w.admin.headers, json={"version": 99}
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "version"


async def test_invalid_rule_parameters_are_refused_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    cases = [
        (("slow_moving", "days"), -1, "ALERT_RULE_NEGATIVE", "slow_moving.days"),
        (
            ("near_expiry", "by_category"),
            {"ventilator": [{"days": 30, "severity": "info", "roles": ["qa"]}]},
            "ALERT_RULE_UNKNOWN_CATEGORY",
            "near_expiry.by_category.ventilator",
        ),
        (
            ("near_expiry", "levels"),
            [
                {"days": 30, "severity": "info", "roles": ["qa"]},
                {"days": 90, "severity": "warning", "roles": ["qa"]},
            ],
            "ALERT_RULE_LEVELS_UNORDERED",
            "near_expiry.levels[1]",
        ),
    ]
    for (section, key), value, code, field in cases:
        params = to_builtins(DEFAULT)
        params[section][key] = value  # type: ignore[index]
        answer = await client.put(
            "/api/v1/alert-rules", headers=w.admin.headers, json={"params": params}
        )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert (answer.json()["code"], answer.json()["field"]) == (code, field)
    assert await db.fetch("SELECT id FROM alert_rule_set_version") == []


async def test_stock_policies_and_webhooks_are_administered_by_admins(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    body = {"product": w.syringe, "warehouse": w.wh_a, "reorder_point": 10, "minimum": 4}
    first = await client.put("/api/v1/stock-policies", headers=w.admin.headers, json=body)
    again = await client.put(
        "/api/v1/stock-policies", headers=w.admin.headers, json=body | {"reorder_point": 12}
    )
    assert first.json()["id"] == again.json()["id"] and again.json()["reorder_point"] == 12
    par = await client.put(
        "/api/v1/stock-policies",
        headers=w.admin.headers,
        json={"product": w.syringe, "warehouse": w.wh_a, "location": w.ward_a, "par_level": 6},
    )
    assert par.status_code == 200 and par.json()["id"] != first.json()["id"]
    listed = (
        await client.get(f"/api/v1/stock-policies?warehouse={w.wh_a}", headers=w.keeper_a.headers)
    ).json()
    assert listed["total"] == 2
    hook = await client.post(
        "/api/v1/alert-webhooks",
        headers=w.admin.headers,
        json={
            "name": "ICU robot",
            "kind": "dingtalk",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=x",
            "secret": "SEC1",
            "min_severity": "critical",
        },
    )
    assert hook.status_code == 201 and hook.json()["has_secret"] is True
    assert "secret" not in hook.json()
    hook_id = hook.json()["id"]
    patched = await client.patch(
        f"/api/v1/alert-webhooks/{hook_id}",
        headers=w.admin.headers,
        json={"min_severity": "warning"},
    )
    assert patched.json()["min_severity"] == "warning"
    bad = await client.post(
        "/api/v1/alert-webhooks",
        headers=w.admin.headers,
        json={"name": "x", "kind": "generic", "url": "ftp://nowhere/x"},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "WEBHOOK_URL_INVALID"
    assert (
        await client.get("/api/v1/alert-webhooks", headers=w.keeper_a.headers)
    ).status_code == 403
    gone = await client.delete(f"/api/v1/alert-webhooks/{hook_id}", headers=w.admin.headers)
    assert gone.status_code == 204
    listed_hooks = (await client.get("/api/v1/alert-webhooks", headers=w.admin.headers)).json()
    assert listed_hooks[0]["active"] is False


async def test_admins_map_temperature_sensors_to_locations(client: httpx.AsyncClient) -> None:
    w = await build_world()
    assigned = await client.put(
        "/api/v1/alert-sensors/K1", headers=w.admin.headers, json={"location": w.cold_a}
    )
    assert assigned.status_code == 200 and assigned.json() == {"sensor": "K1", "location": w.cold_a}
    moved = await client.put(
        "/api/v1/alert-sensors/K1", headers=w.admin.headers, json={"location": w.storage_a}
    )
    assert moved.json()["location"] == w.storage_a
    listed = (await client.get("/api/v1/alert-sensors", headers=w.admin.headers)).json()
    assert listed == [{"sensor": "K1", "location": w.storage_a}]
    missing = await client.put(
        "/api/v1/alert-sensors/K2", headers=w.admin.headers, json={"location": 9999}
    )
    assert missing.status_code == 404
    denied = await client.put(
        "/api/v1/alert-sensors/K1", headers=w.qa.headers, json={"location": w.cold_a}
    )
    assert denied.status_code == 403
    assert (
        await client.delete("/api/v1/alert-sensors/K1", headers=w.admin.headers)
    ).status_code == 204
    audit = await db.fetch(
        "SELECT action FROM audit_entry WHERE entity = 'alert_sensor_location' ORDER BY id"
    )
    assert [a["action"] for a in audit] == ["assign", "assign", "unassign"]


async def test_a_ward_sees_its_cabinet_alert_by_department(client: httpx.AsyncClient) -> None:
    w = await build_world()
    await policy(w.syringe, w.wh_a, location=w.ward_a, par_level=6)
    await policy(w.syringe, w.wh_a, reorder_point=50)
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=800))
    await put(lot, w.ward_a, 2)
    await engine.sweep(DEFAULT)
    page = (await client.get("/api/v1/alerts", headers=w.nurse.headers)).json()
    assert [a["rule"] for a in page["items"]] == ["par_level"]  # not the warehouse's low stock
    assert page["items"][0]["department"] == w.department
    counts = (await client.get("/api/v1/alerts/counts", headers=w.nurse.headers)).json()
    assert counts["open"] == 1
    keeper_b = (await client.get("/api/v1/alerts", headers=w.keeper_b.headers)).json()
    assert keeper_b["total"] == 0
