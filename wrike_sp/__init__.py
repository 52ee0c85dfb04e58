"""A reference Wrike SCIM 2.0 service provider."""

from wrike_sp.app import create_app
from wrike_sp.config import WrikeConfig

__all__ = ["WrikeConfig", "create_app"]
