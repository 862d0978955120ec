"""The English texts and msgids of the ENI problems, one module per part of
the exchange; the core builds its problems from them
(:func:`paeria.egov.eni.problems.problem`)."""
