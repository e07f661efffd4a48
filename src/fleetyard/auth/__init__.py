"""Authentication (sessions, API keys) and authorization (roles → permissions)."""
