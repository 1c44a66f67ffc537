"""Pure rules of the stations service (no I/O): search input, answers and cache cells, distances,
provider responses, prices seen in fill-ups, saved stations, signed photo URLs, how stations look
on the wire, and the circuit breaker's state machine."""
