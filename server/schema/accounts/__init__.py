"""Accounts over GraphQL."""
