"""`searchRegister`: the public register searched by name (Arabic or English) or number."""

from __future__ import annotations

import strawberry
from strawberry import Info

from server.domain.errors import DomainError
from server.resolvers.register import search as register_search
from server.schema.base import Edge, PageInfo, UserError, user_errors
from server.schema.register.schema import PublicPractitioner
from server.schema.register.types import RegistrationStatus


@strawberry.type(description=(
    "A page of the public register search. A bad argument (a query under 3 letters, "
    "`first` outside 1–100, a cursor this server did not give) or too many searches from "
    "one address is not a top-level error: it comes back in `errors` (INVALID, "
    "RATE_LIMITED) with no edges, as a mutation's payload carries its errors."))
class RegisterSearchConnection:
    edges: list[Edge[PublicPractitioner]]
    page_info: PageInfo
    more_not_shown: bool = strawberry.field(description=(
        "More matched than the cap on pages a query lets anyone read: narrow the query "
        "or use the filters."))
    errors: list[UserError]


@strawberry.type
class Query:
    @strawberry.field(description=(
        "The public register searched by name: every word of `query` must start a part "
        "of the name, in Arabic or English, in any order, forgiving the spellings the "
        "contract lists; a registration number finds its entry. At most 20 a page and 10 "
        "pages a query, ordered by registration number; rate-limited per address. Bad "
        "arguments are answered in `errors` (see RegisterSearchConnection)."))
    async def search_register(
        self, info: Info, query: str, category: str | None = None,
        specialty: str | None = None, status: RegistrationStatus | None = None,
        first: int | None = None, after: str | None = None,
    ) -> RegisterSearchConnection:
        ctx = info.context
        try:
            wanted = register_search.criteria(query, category=category, specialty=specialty,
                                              status=status.value if status else None)
            page = await register_search.search(ctx, wanted, first=first, after=after)
        except DomainError as error:
            return RegisterSearchConnection(
                edges=[], page_info=PageInfo(has_next_page=False, end_cursor=None),
                more_not_shown=False, errors=user_errors(error, ctx.lang))
        return RegisterSearchConnection(
            edges=[Edge(node=PublicPractitioner.from_entry(entry), cursor=cursor)
                   for entry, cursor in zip(page.entries, page.cursors, strict=True)],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            more_not_shown=page.capped, errors=[])
