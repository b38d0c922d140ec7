"""Lots, serials, the append-only stock ledger, balances, reservations, FEFO allocation,
transfers, adjustments, holds, queries and the where-used trace."""
