"""Scanning: turning what a scanner sends into lots, serials, expiries and locations."""
