"""Email from Gatehouse: sending through SMTP, or keeping it in the outbox for site admins."""
