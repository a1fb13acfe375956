"""What people read of an escalation: as shown, names for ids, pages, insights."""
