"""The public register: look-ups, cards, registration numbers, and importing registry records."""
