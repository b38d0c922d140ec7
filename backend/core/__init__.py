"""Shared kernel: no domain knowledge. Database, errors, events, jobs, clock, ids, structs."""
