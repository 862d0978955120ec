"""subscribers of paeria.egov."""
