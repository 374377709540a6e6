"""Accounts: sign-up, sign-in, sessions, one-time codes, security settings, staff accounts and
the data export."""
