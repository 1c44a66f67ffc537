"""Pure rules of the stations service (no I/O): search input and cache cells, distances, provider
responses, prices seen in fill-ups, signed photo URLs, and the circuit breaker's state machine."""
