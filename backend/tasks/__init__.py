"""Today's work per user: counts and short lists over receiving and stock, in one's warehouses."""
