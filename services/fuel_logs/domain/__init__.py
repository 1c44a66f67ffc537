"""Fuel log rules, free of I/O: units, input rules, tank-to-tank economy, statistics, CSV."""
