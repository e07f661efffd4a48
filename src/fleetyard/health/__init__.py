"""Vehicle health: a 0–100 score over the last 7 days, with the reason for every point lost
(the formula is in :mod:`fleetyard.health.score`)."""
