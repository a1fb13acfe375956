"""Opening an escalation, its level, its SLA clocks and where it is routed."""
