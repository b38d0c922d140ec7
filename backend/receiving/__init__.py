"""Purchase orders (minimal), receipts, incoming inspection, QA release with e-signature,
putaway."""
