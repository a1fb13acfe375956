"""Closing the loop: the resolution notice, the customer's answer, reminders."""
