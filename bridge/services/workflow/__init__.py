"""The procedure's steps on an open escalation, from every surface, and monitoring."""
