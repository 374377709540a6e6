"""Renewing a registration in the browser."""
