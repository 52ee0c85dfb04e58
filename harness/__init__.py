"""The support harness: one console script that brings up OneLogin and Wrike wired together
(``up``), replays a customer's set-up written down as a case file (``repro``), and runs the
suite's black-box scenarios against an external SCIM endpoint (``check``).

It is the one place besides ``steps/`` and ``bench/`` that knows both packages: it builds a
simulated OneLogin whose SCIM client reaches the reference Wrike provider."""
