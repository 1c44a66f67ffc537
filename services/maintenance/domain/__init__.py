"""Maintenance rules, free of I/O: categories and subtypes, inputs, units, recurrence, urgency, the
stored values of records and schedules, and the API's views of them."""
