"""Alert rules per tenant: thresholds, scope, severity, quiet hours, dedupe, escalation."""
