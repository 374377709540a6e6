"""Paying an application's fee through a gateway."""
