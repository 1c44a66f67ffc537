"""Pure rules of the notifications service: no I/O, no aiohttp."""
