"""The demo data set: a realistic hospital with its warehouses, wards, catalogue and people."""
