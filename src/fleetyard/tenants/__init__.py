"""Tenants: the organisations, their plan limits, features and branding."""
