"""The public register: look-ups, cards, credentials, registration numbers, and importing
registry records."""
