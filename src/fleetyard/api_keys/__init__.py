"""API keys for integrations: per tenant, with a role, shown once, stored hashed, revocable."""
