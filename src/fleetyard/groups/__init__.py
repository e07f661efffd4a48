"""Groups: depots, regions and teams, nested into a hierarchy."""
