"""The procedure catalogue as citizens see it (/tramites and a procedure's
page), and what is kept canonical in a procedure."""
