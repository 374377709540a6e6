"""The admin console in the browser."""
