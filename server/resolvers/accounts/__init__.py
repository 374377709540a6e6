"""Accounts: registration, sign-in and the security of an account."""
