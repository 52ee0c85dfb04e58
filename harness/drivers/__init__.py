"""Drivers: OneLogin and Wrike as the BDD steps and a case replay see them, each reached
only through HTTP (a ``requests.Session``), whichever target is behind the session.

- :mod:`harness.drivers.onelogin`: the simulated OneLogin (API v2 and the simulator API).
- :mod:`harness.drivers.scim`: what any SCIM endpoint offers (an external Wrike).
- :mod:`harness.drivers.reference`: what only the reference provider's admin and harness
  APIs offer (account set-up, tokens, faults, billing, Wrike-side data).
- :mod:`harness.drivers.network`: the wire between OneLogin's engine and Wrike.
- :mod:`harness.drivers.stage` and :mod:`harness.drivers.world`: the apps for a target, and
  the world one scenario or case runs in.
"""
