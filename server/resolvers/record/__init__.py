"""The practitioner's record: claiming it, its entries, CPD activities and personal-data change
requests."""
