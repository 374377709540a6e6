"""The admin console: staff, registrations, the audit log, records."""
