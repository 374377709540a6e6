"""Employers: organisations, API keys, watch lists, webhooks and the change feed."""
