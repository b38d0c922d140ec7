"""Users, roles, scopes, sign-in, and the guards every endpoint is behind."""
