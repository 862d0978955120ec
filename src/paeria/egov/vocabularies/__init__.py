"""vocabularies of paeria.egov."""
