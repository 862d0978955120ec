"""Workflow business rules, signing and their guards."""
