"""The notification inbox: every email and SMS queued for an account is in its inbox,
newest first, one-time codes without their text; read/unread; constant queries."""

from server import clock
from server.models.accounts import Account
from server.models.outbox import OutboxMessage
from tests.conftest import gql
from tests.journeys import signed_in_practitioner

INBOX = """query { myNotifications(first: 100) { unreadCount
  notifications { id channel subject text private read } } }"""
MARK = """mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) {
  unreadCount errors { field code } } }"""


async def test_what_was_sent_to_a_person_is_in_their_inbox_and_codes_stay_hidden(
        client, deliver, smtp_server, sms_gateway, queries):
    who, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    account = await Account.get(email=who["email"])
    sent = await OutboxMessage.filter(account_id=account.id).count()
    assert sent >= 2  # the confirmation email and the sign-in code(s), at least

    inbox = (await gql(client, INBOX, token=token))["data"]["myNotifications"]
    items = inbox["notifications"]
    assert len(items) == sent and inbox["unreadCount"] == sent
    assert [int(n["id"]) for n in items] == sorted((int(n["id"]) for n in items), reverse=True)
    codes = [n for n in items if n["channel"] == "SMS"]
    assert codes and all(n["private"] and n["text"] is None for n in codes)
    confirmation = [n for n in items if n["channel"] == "EMAIL"]
    assert confirmation and all(n["subject"] for n in confirmation)

    newest = items[0]["id"]
    one = (await gql(client, MARK, {"input": {"ids": [newest]}}, token=token)
           )["data"]["markNotificationsRead"]
    assert one == {"unreadCount": sent - 1, "errors": []}
    nowhere = (await gql(client, MARK, {"input": {"ids": ["987654321"]}}, token=token)
               )["data"]["markNotificationsRead"]
    assert nowhere["errors"] == [{"field": "ids", "code": "NOT_FOUND"}]
    everything = (await gql(client, MARK, {"input": {"ids": None}}, token=token)
                  )["data"]["markNotificationsRead"]
    assert everything == {"unreadCount": 0, "errors": []}

    for n in range(5, 45):
        await OutboxMessage.create(channel="email", recipient=who["email"], account=account,
                                   next_attempt_at=clock.now(),
                                   payload={"subject": f"s{n}", "text": "t"})
    with queries() as counted:
        inbox = (await gql(client, INBOX, token=token))["data"]["myNotifications"]
    assert len(inbox["notifications"]) == sent + 40 and inbox["unreadCount"] == 40
    assert counted.count <= 4, counted.queries  # session, count, list: not one per message


async def test_a_renewal_reminder_lands_in_the_inbox_by_email_and_by_sms(
        client, settings, deliver, smtp_server, sms_gateway):
    """Issue 16.15: the 60-day reminder goes out by email and SMS, and both are in the
    portal's inbox, unread, newest first."""
    import datetime as dt

    from server.models.practitioners import Registration
    from server.resolvers.renewals.reminders import send_due_reminders
    from tests.builders import claimed_practitioner

    _, token, practitioner = await claimed_practitioner(client, deliver, smtp_server,
                                                        sms_gateway)
    before = (await gql(client, INBOX, token=token))["data"]["myNotifications"]
    await Registration.filter(practitioner_id=practitioner.id).update(
        valid_until=clock.today() + dt.timedelta(days=60))
    assert await send_due_reminders(settings, clock.today()) == 2
    inbox = (await gql(client, INBOX, token=token))["data"]["myNotifications"]
    new = inbox["notifications"][:len(inbox["notifications"]) - len(before["notifications"])]
    assert sorted(n["channel"] for n in new) == ["EMAIL", "SMS"], new
    assert all(not n["read"] and not n["private"] for n in new)
    assert inbox["unreadCount"] == before["unreadCount"] + 2
    sms = next(n for n in new if n["channel"] == "SMS")
    expires = (clock.today() + dt.timedelta(days=60)).isoformat()
    assert expires in sms["text"] and "/renewals/new" in sms["text"], sms


async def test_the_header_counts_unread_notifications_on_the_dashboard_and_other_pages(
        client, deliver, smtp_server, sms_gateway, queries):
    """The dashboard reads the count in its own operation (PageDashboard), other pages in
    HeaderUnreadNotifications: the same badge, and the dashboard runs one operation."""
    who, token = await signed_in_practitioner(client, deliver, smtp_server, sms_gateway)
    account = await Account.get(email=who["email"])
    unread = await OutboxMessage.filter(account_id=account.id, read_at=None).count()
    assert unread >= 2
    cookie = {"cookie": f"sijil-sid={token}", "accept-language": "en"}
    badge = f'<span class="visually-hidden">({unread} unread)</span>'
    with queries() as on_dashboard:
        dashboard = await client.get("/", headers=cookie)
    assert dashboard.status_code == 200 and badge in dashboard.text
    record = await client.get("/applications", headers=cookie)
    assert record.status_code == 200 and badge in record.text
    count = [q for q in on_dashboard.queries if "outbox" in q.lower() and "count" in q.lower()]
    assert len(count) == 1, on_dashboard.queries
