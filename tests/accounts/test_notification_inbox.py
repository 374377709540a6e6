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
