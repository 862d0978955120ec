"""services of paeria.egov."""
