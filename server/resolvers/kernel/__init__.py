"""What every domain's use cases share: access checks, audit, ids, the application life cycle,
the outbox, limits, notices, settings and documents. It imports no domain."""
