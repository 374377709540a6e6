"""The public register for people and machines: look-up, search, cards, credentials."""
