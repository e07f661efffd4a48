"""Notifications: alert events turned into grouped notices by in-app, e-mail and Web Push."""
