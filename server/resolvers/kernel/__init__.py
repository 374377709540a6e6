"""What every domain uses: audit, access, ids, limits, notify, settings, documents."""
