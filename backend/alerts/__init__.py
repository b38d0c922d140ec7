"""Live alerts: a versioned rule library evaluated by workers, pushed to phones and webhooks."""
