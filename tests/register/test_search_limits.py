"""What keeps the register from being dumped through search: 20 a page, a cap on pages a
query (with signed cursors), a per-address rate limit; and a page costs the same number of
statements whatever its size (no N+1)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import httpx
import pytest
import pytest_asyncio

from server.app import create_app
from server.domain.errors import DomainError
from server.resolvers.register import search as register_search
from server.resolvers.register.search import MAX_PAGES, PAGE_SIZE
from tests.conftest import NoCookies, gql
from tests.register.helpers import SEARCH, registered


async def page(client, query="Mohammed", **variables) -> dict:
    body = await gql(client, SEARCH, {"query": query, **variables})
    assert "errors" not in body, body
    return body["data"]["searchRegister"]


async def test_at_most_twenty_a_page_and_paging_goes_on_in_order(client):
    for _ in range(PAGE_SIZE + 3):
        await registered()
    first = await page(client, first=50)
    assert len(first["edges"]) == PAGE_SIZE and first["pageInfo"]["hasNextPage"]
    rest = await page(client, after=first["pageInfo"]["endCursor"])
    assert len(rest["edges"]) == 3 and not rest["pageInfo"]["hasNextPage"]
    seen = [e["node"]["registrationNumber"] for e in first["edges"] + rest["edges"]]
    assert seen == sorted(seen) and len(set(seen)) == PAGE_SIZE + 3


async def test_a_query_reads_at_most_the_capped_number_of_pages(client):
    for _ in range(MAX_PAGES + 2):
        await registered()
    after, seen = None, []
    for number in range(1, MAX_PAGES + 1):
        result = await page(client, first=1, after=after)
        seen += [e["node"]["registrationNumber"] for e in result["edges"]]
        after = result["pageInfo"]["endCursor"]
        last_edge_cursor = result["edges"][-1]["cursor"]
        assert result["pageInfo"]["hasNextPage"] is (number < MAX_PAGES)
    assert len(seen) == MAX_PAGES and after is None
    assert result["moreNotShown"] is True
    # The last page's edge cursor leads past the cap: nothing there.
    beyond = await page(client, first=1, after=last_edge_cursor)
    assert beyond["edges"] == [] and beyond["moreNotShown"] is True and not beyond["errors"]


async def test_a_cursor_cannot_be_made_up_to_restart_the_page_count(client):
    await registered()
    result = await page(client, first=1)
    import base64

    forged = base64.urlsafe_b64encode(b"1|25-R-0000000|" + b"0" * 24).decode()
    errors = (await page(client, after=forged))["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("after", "INVALID")]
    assert result["edges"]


@pytest_asyncio.fixture
async def limited(settings, clean_db):
    app = create_app(dataclasses.replace(settings, register_searches_per_minute=5))

    def client(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000",
                                 cookies=NoCookies())

    async with client("127.0.0.1") as one, client("127.0.0.2") as other:
        yield one, other


async def test_searches_are_rate_limited_per_address(limited, clock):
    one, other = limited
    await registered()
    for _ in range(5):
        assert (await page(one))["edges"]
    refused = await page(one)
    assert refused["edges"] == []
    [error] = refused["errors"]
    assert error["code"] == "RATE_LIMITED" and "Try again in" in error["message"]
    assert (await page(other))["edges"]  # another address is not held back
    clock.shift(dt.timedelta(minutes=1))
    assert (await page(one))["edges"]


async def test_a_page_of_twenty_costs_what_a_page_of_one_costs(client, queries):
    await registered("سلمان", "العتيبي", "Salman", "Otaibi")
    for _ in range(PAGE_SIZE):
        await registered()
    await page(client, "Nobody")  # the address's rate counter now exists
    with queries() as one:
        assert len((await page(client, "Salman"))["edges"]) == 1
    with queries() as twenty:
        assert len((await page(client, "Mohammed"))["edges"]) == PAGE_SIZE
    assert twenty.count == one.count
    # The search itself is one statement; the rest is the rate limit's counter.
    assert sum("practitioner" in q for q in twenty.queries) == 1, twenty.queries


class _Caller:
    """The least a use case's caller is (server/resolvers/kernel/caller.py): no session,
    no account, an address."""

    def __init__(self, settings, ip: str) -> None:
        self.settings, self.ip, self.lang = settings, ip, "en"
        self.session = self.api_key = self.loaders = None
        self.account, self.user_agent = None, "test"


async def test_the_use_case_takes_a_caller_and_limits_by_its_address(settings, clean_db):
    limited = dataclasses.replace(settings, register_searches_per_minute=2)
    await registered(number="25-R-0000001")
    wanted = register_search.criteria("Mohammed")
    one, other = _Caller(limited, "192.0.2.1"), _Caller(limited, "192.0.2.2")
    for _ in range(2):
        page = await register_search.search(one, wanted)
        assert [e["registration_number"] for e in page.entries] == ["25-R-0000001"]
    with pytest.raises(DomainError) as refused:
        await register_search.search(one, wanted)
    assert refused.value.problems[0].code.value == "RATE_LIMITED"
    assert (await register_search.search(other, wanted)).entries
    # A registration number is not limited: it finds one entry, as verifyPractitioner does.
    number = register_search.criteria("25-R-0000001")
    assert (await register_search.search(one, number)).entries
