"""GraphQL types of the registry shared by several domains' schemas: the public register
and the practitioner's own record both show a registration's status."""

from __future__ import annotations

import strawberry

from server.domain.registry import RegistrationStatus as DomainRegistrationStatus

# One enum, defined once in the domain: the schema exposes it under the contract's name.
RegistrationStatus = strawberry.enum(
    DomainRegistrationStatus, name="RegistrationStatus",
    description="ACTIVE; EXPIRED once past validUntil (the last valid day); SUSPENDED while "
                "a sanction is in force, whatever the dates.")
