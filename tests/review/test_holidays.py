"""The named holiday list: an admin adds a day with its Arabic and English names and
removes one; a supervisor reads it; the days count in working days as before. Checked in
GraphQL (addHoliday, removeHoliday, namedHolidays) and on /admin/holidays without
JavaScript."""

from __future__ import annotations

import datetime as dt

from server import clock
from server.context import session_cookie_name
from server.domain.working_days import parse_holiday_entries, parse_holidays
from server.models.audit import AuditEntry
from server.models.settings import Setting
from server.resolvers.review.workflow import holidays
from tests.builders import staff_session
from tests.conftest import csrf_of, gql

ADD = """mutation($input: AddHolidayInput!) { addHoliday(input: $input) {
  holidays { date nameAr nameEn } errors { field code message } } }"""
REMOVE = """mutation($input: RemoveHolidayInput!) { removeHoliday(input: $input) {
  holidays { date nameAr nameEn } errors { field code message } } }"""
NAMED = "{ namedHolidays { date nameAr nameEn } }"


def payload(body: dict, field: str) -> dict:
    assert "errors" not in body, body
    return body["data"][field]


def codes(result: dict) -> dict:
    return {e["field"]: e["code"] for e in result["errors"]}


def test_a_stored_list_of_bare_dates_still_reads_as_holidays_without_names():
    entries = parse_holiday_entries(["2027-03-30", {"date": "2027-03-29", "nameAr": "عيد",
                                                    "nameEn": "Eid"}, "2027-03-30"])
    assert [(h.day.isoformat(), h.name_en) for h in entries] == [
        ("2027-03-29", "Eid"), ("2027-03-30", "")]
    assert parse_holidays([{"date": "2027-03-29"}]) == [dt.date(2027, 3, 29)]


async def test_an_admin_adds_and_removes_a_named_holiday_and_a_supervisor_reads_it(client):
    admin, token = await staff_session("admin")
    _, supervisor_token = await staff_session("supervisor")
    day = clock.today() + dt.timedelta(days=40)
    added = payload(await gql(client, ADD, {"input": {
        "date": day.isoformat(), "nameAr": " عيد  الفطر ", "nameEn": "Eid al-Fitr"}},
        token=token), "addHoliday")
    assert added == {"errors": [], "holidays": [
        {"date": day.isoformat(), "nameAr": "عيد الفطر", "nameEn": "Eid al-Fitr"}]}
    assert await holidays() == [day]
    read = await gql(client, NAMED, token=supervisor_token)
    assert read["data"]["namedHolidays"] == added["holidays"]
    assert (await gql(client, "{ holidays }", token=supervisor_token))["data"]["holidays"] == [
        day.isoformat()]
    refused = await gql(client, ADD, {"input": {"date": day.isoformat(), "nameAr": "x",
                                                "nameEn": "x"}}, token=supervisor_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    removed = payload(await gql(client, REMOVE, {"input": {"date": day.isoformat()}},
                                token=token), "removeHoliday")
    assert removed == {"errors": [], "holidays": []}
    again = payload(await gql(client, REMOVE, {"input": {"date": day.isoformat()}},
                              token=token), "removeHoliday")
    assert codes(again) == {"date": "NOT_FOUND"}
    actions = await AuditEntry.filter(actor_id=admin.id).values_list("action", flat=True)
    assert {"settings.holiday_added", "settings.holiday_removed"} <= set(actions)


async def test_a_holiday_needs_a_date_in_range_two_names_and_a_day_not_on_the_list(client):
    _, token = await staff_session("admin")
    today = clock.today()
    recent = today - dt.timedelta(days=30)
    ok = payload(await gql(client, ADD, {"input": {
        "date": recent.isoformat(), "nameAr": "اليوم الوطني", "nameEn": "National Day"}},
        token=token), "addHoliday")
    assert ok["errors"] == [], "a day of the past year corrects open cases' ages"
    cases = (
        ({"date": recent.isoformat(), "nameAr": "يوم", "nameEn": "Day"}, {"date": "TAKEN"}),
        ({"date": (today - dt.timedelta(days=400)).isoformat(), "nameAr": "يوم",
          "nameEn": "Day"}, {"date": "INVALID"}),
        ({"date": today.replace(year=today.year + 6).isoformat(), "nameAr": "يوم",
          "nameEn": "Day"}, {"date": "INVALID"}),
        ({"nameAr": "", "nameEn": "  "}, {"date": "REQUIRED", "nameAr": "REQUIRED",
                                          "nameEn": "REQUIRED"}),
        ({"date": today.isoformat(), "nameAr": "ي" * 81, "nameEn": "Day"},
         {"nameAr": "INVALID"}),
    )
    for given, expected in cases:
        refused = payload(await gql(client, ADD, {"input": given}, token=token), "addHoliday")
        assert codes(refused) == expected, given
    arabic = payload(await gql(client, ADD, {"input": {
        "date": recent.isoformat(), "nameAr": "يوم", "nameEn": "Day"}}, token=token,
        lang="ar"), "addHoliday")
    assert arabic["errors"][0]["message"] == "هذا التاريخ في قائمة العطل من قبل."
    assert len((await Setting.get(key="holidays")).value) == 1


async def test_replacing_the_days_keeps_the_names_of_days_kept(client):
    _, token = await staff_session("admin")
    day = clock.today() + dt.timedelta(days=10)
    await gql(client, ADD, {"input": {"date": day.isoformat(), "nameAr": "عيد الأضحى",
                                      "nameEn": "Eid al-Adha"}}, token=token)
    other = day + dt.timedelta(days=1)
    replaced = await gql(client, """mutation($input: UpdateHolidaysInput!) {
      updateHolidays(input: $input) { holidays errors { field code } } }""",
                         {"input": {"dates": [other.isoformat(), day.isoformat()]}}, token=token)
    assert replaced["data"]["updateHolidays"]["errors"] == []
    named = (await gql(client, NAMED, token=token))["data"]["namedHolidays"]
    assert named == [{"date": day.isoformat(), "nameAr": "عيد الأضحى", "nameEn": "Eid al-Adha"},
                     {"date": other.isoformat(), "nameAr": "", "nameEn": ""}]


async def test_the_holidays_page_lists_adds_and_removes_without_javascript(browser_like,
                                                                          settings):
    client = browser_like
    _, token = await staff_session("admin")
    client.cookies.set(session_cookie_name(settings), token)
    client.cookies.set("lang", "en")
    page = await client.get("/admin/holidays")
    assert page.status_code == 200 and "No holidays yet" in page.text
    assert 'href="/admin/holidays"' in (await client.get("/admin")).text
    day = clock.today() + dt.timedelta(days=50)
    form = {"csrf_token": csrf_of(client), "date-day": "31", "date-month": "2",
            "date-year": str(day.year), "nameAr": "عيد", "nameEn": "Eid"}
    bad = await client.post("/admin/holidays", data=form)
    assert bad.status_code == 422 and "Enter a real date" in bad.text
    assert 'value="Eid"' in bad.text
    form.update({"date-day": str(day.day), "date-month": str(day.month), "nameEn": ""})
    unnamed = await client.post("/admin/holidays", data=form)
    assert unnamed.status_code == 422 and "name in English" in unnamed.text
    form["nameEn"] = "Eid"
    added = await client.post("/admin/holidays", data=form)
    assert added.status_code == 303 and added.headers["location"] == "/admin/holidays?done=added"
    listed = await client.get(added.headers["location"])
    assert "The holiday is added" in listed.text and "Eid" in listed.text
    twice = await client.post("/admin/holidays", data=form)
    assert twice.status_code == 422 and "already on the holiday list" in twice.text

    confirm = await client.get(f"/admin/holidays/{day.isoformat()}/remove")
    assert confirm.status_code == 200 and "Yes, remove the holiday" in confirm.text
    assert (await client.get("/admin/holidays/2099-01-01/remove")).status_code == 404
    gone = await client.post(f"/admin/holidays/{day.isoformat()}/remove",
                             data={"csrf_token": csrf_of(client)})
    assert gone.status_code == 303 and await holidays() == []
