"""browser of paeria.egov."""
