"""registry of paeria.egov."""
