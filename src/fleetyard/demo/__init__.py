"""The one-command demo (``fleetyard demo``, ``make run``).

- ``plan``: the demo tenants as data (Demo Fleet and Harbour Logistics), drawn from a seed;
  the Demo Fleet's devices are the simulator's planned devices (``catalogue``, ``vins`` and
  ``logins`` hold what the plan draws from).
- ``seed``: puts a plan into the database through the real services, idempotently
  (``repository`` finds what is already there).
- ``launch``: ports, embedded PostgreSQL, migrations and seeding as progress steps, then the
  server (API and device gateway) and the simulator as a child process (``supervisor``)
  until Ctrl-C.
"""

from fleetyard.demo.logins import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG, DemoLogin
from fleetyard.demo.seed import ensure_demo_tenant

__all__ = ["DEMO_EMAIL", "DEMO_PASSWORD", "DEMO_SLUG", "DemoLogin", "ensure_demo_tenant"]
