"""What every domain uses: audit, access, limits, outbox, settings, documents."""
