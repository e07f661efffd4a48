"""``python -m fleetyard``: the same command as the ``fleetyard`` script."""

from fleetyard.cli import app

app(prog_name="fleetyard")
