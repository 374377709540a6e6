"""Account pages: sign-up, sign-in, security and the data export."""
