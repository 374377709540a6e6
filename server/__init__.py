"""Sijil: registering and licensing health practitioners."""
