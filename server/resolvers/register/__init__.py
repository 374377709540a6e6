"""The public register: look-ups, search, FHIR, cards, registration numbers, and importing
registry records."""
