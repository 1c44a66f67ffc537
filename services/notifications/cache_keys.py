"""Every cache key of the notifications service: none.

Its answers are small reads of its own tables, never marked cacheable for the edge: the delivery
log moves by itself (the worker), and preferences and channels are read rarely.
"""
