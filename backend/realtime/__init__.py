"""Live events: the channels backend (memory embedded, Redis in production) and WebSockets."""
