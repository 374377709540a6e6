"""The public register: look-ups, search, FHIR, cards, credentials, registration numbers,
and importing registry records."""
