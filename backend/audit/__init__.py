"""Audit trail (append-only, hash-chained) and electronic signatures."""
