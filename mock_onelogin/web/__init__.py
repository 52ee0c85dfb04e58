"""Flask blueprints: OneLogin-compatible API (``/auth``, ``/api/1``, ``/api/2``), its OpenAPI
description (``/openapi.json``) and the simulator's own admin API (``/simulator/api``). They
translate HTTP to account calls."""

from mock_onelogin.web import api_v1, api_v2, oauth, openapi, simulator

BLUEPRINTS = (oauth.bp, api_v1.bp, api_v2.bp, simulator.bp, openapi.bp)

__all__ = ["BLUEPRINTS"]
