"""The practitioner's record over GraphQL."""
