"""Places: a point named the way people say it (the depot it is at, or the street)."""
