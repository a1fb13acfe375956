"""Service layer: one handler per command or event. Each decides with the domain, saves, and
plans its side effects in the outbox in the same transaction; none calls a vendor SDK."""
