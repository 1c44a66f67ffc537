"""What users and vehicle events do, one async function per use case.

Each takes the pool (or the connection of a caller's transaction) first, then the resources it
uses, then plain values; it owns its transaction, the events it enqueues and what must follow
the commit, and raises the domain errors of shared.errors.
"""
