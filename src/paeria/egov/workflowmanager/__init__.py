"""The workflow manager: what collective.workflowmanager was for, on Plone 6.

A control-panel page (``@@paeria-workflows``) and a REST service
(``@paeria-workflows``) show each paeria workflow with its states, transitions,
guards and state x role x permission matrix, export it as the GenericSetup XML
that Products.DCWorkflow itself writes, and let a Manager grant or withdraw a
permission cell. A change rewrites the workflow definition, then brings the
role mappings of the existing objects in line (job.py, inline or in a
background thread with progress), and is written to an append-only log
(storage.record_change). See docs/workflows.md.
"""
