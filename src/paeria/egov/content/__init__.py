"""content of paeria.egov."""
