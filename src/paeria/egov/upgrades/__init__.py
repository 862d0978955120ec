"""Upgrade steps of the default profile, one folder per profile version."""
