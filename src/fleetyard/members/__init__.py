"""Members: users of a tenant and their roles."""
