"""The public register over GraphQL."""
