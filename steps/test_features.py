"""Binds every scenario of features/, one ``scenarios()`` call per area of the article."""

from pytest_bdd import scenarios

scenarios("availability")
scenarios("setup")
scenarios("provisioning")
scenarios("approvals")
scenarios("deprovisioning")
scenarios("billing")
scenarios("troubleshooting")
