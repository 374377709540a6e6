"""Employers over GraphQL: organisations, API keys, watch lists, webhooks, the change feed."""
