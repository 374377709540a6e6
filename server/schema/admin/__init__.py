"""The admin console over GraphQL."""
