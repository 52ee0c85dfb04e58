"""A reference Wrike SCIM 2.0 service provider."""
