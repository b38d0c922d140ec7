"""Which channels an event goes to and which a person listens on."""

from backend.realtime.routing import channels_for_event, channels_for_user


def reaches(payload, user_channels):  # type: ignore[no-untyped-def]
    return bool(set(channels_for_event(payload)) & set(user_channels))


def test_an_event_naming_no_one_is_for_everybody():
    assert channels_for_event({"entity": "product", "id": 3}) == ["broadcast"]
    assert reaches({"id": 3}, channels_for_user(9, [], []))


def test_a_warehouse_event_reaches_only_people_of_that_warehouse():
    payload = {"warehouse_id": 2}
    assert reaches(payload, channels_for_user(1, [2], []))
    assert not reaches(payload, channels_for_user(1, [3], []))


def test_a_department_event_reaches_its_members_and_its_serving_warehouse():
    payload = {"warehouse_id": 1, "department_id": 5}
    assert reaches(payload, channels_for_user(1, [], [5]))
    assert reaches(payload, channels_for_user(2, [1], []))
    assert not reaches(payload, channels_for_user(3, [4], [6]))


def test_an_event_with_roles_reaches_only_those_roles_within_the_scope():
    payload = {"warehouse_id": 2, "roles": ["qa", "admin"]}
    assert reaches(payload, channels_for_user(1, [2], [], ["qa"]))
    assert not reaches(payload, channels_for_user(1, [2], [], ["warehouse"]))
    assert not reaches(payload, channels_for_user(1, [3], [], ["qa"]))


def test_a_scope_free_event_with_roles_reaches_those_roles_everywhere():
    payload = {"rule": "licence_expiring", "roles": ["purchaser"]}
    assert reaches(payload, channels_for_user(1, [], [], ["purchaser"]))
    assert not reaches(payload, channels_for_user(1, [1, 2], [3], ["clinician"]))


def test_a_station_scan_with_nobody_signed_in_reaches_no_one():
    assert channels_for_event({"user_id": None, "raw": "x"}) == []


def test_an_event_for_a_user_reaches_that_user_whatever_the_roles():
    assert channels_for_event({"user_id": 4, "roles": ["qa"]}) == ["user:4"]
