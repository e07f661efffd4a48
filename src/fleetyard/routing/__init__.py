"""Route plans: travel times, solver, dispatch."""
