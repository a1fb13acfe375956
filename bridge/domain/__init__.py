"""The escalation procedure as a pure model: standard library only, no I/O, no clock reads.

records, enums, errors    the vocabulary (docs/domain.md "Records")
lifecycle                 transition tables and the audited way to apply a step
intake, contacts          starting an escalation (rules 1, 2, 3, 5, 12)
triage, levels            classification and levels (rules 4, 6)
communication             communication plan, status updates, daily digest (rule 8)
plans, resolution         action plans, SPAR/AR, de-escalation, monitoring, outcomes (9-11)
calendar, sla             business calendars and SLA clocks (rule 7)
"""
