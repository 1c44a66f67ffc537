"""Maintenance rules, free of I/O: categories and subtypes, units, recurrence, urgency."""
