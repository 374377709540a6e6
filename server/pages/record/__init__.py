"""The practitioner's record in the browser."""
