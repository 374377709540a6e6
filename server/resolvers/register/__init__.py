"""The public register: search, FHIR, cards, credentials, registry import."""
