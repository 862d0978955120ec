"""behaviors of paeria.egov."""
