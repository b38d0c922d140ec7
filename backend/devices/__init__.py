"""Fixed stations' device bridges: device tokens, the /ws/devices endpoint, received frames."""
