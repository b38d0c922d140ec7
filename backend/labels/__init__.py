"""Labels: GS1 DataMatrix lot labels and location labels, as PDF (WeasyPrint) or ZPL."""
