"""Renewing a registration, and the reminders before it expires."""
