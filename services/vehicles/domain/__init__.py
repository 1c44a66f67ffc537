"""The vehicles service's rules, free of I/O, one small module per subject."""
