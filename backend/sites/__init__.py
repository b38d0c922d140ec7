"""Warehouses, their locations, departments, and departments' budgets and quotas."""
