"""The services besides renewal, and the certificates they issue."""
