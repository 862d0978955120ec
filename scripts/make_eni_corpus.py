"""Write the ENI zip corpus of the tests again (src/paeria/egov/tests/data/eni/).

Usage: .venv/bin/python scripts/make_eni_corpus.py
"""

from paeria.egov.tests.eni_corpus import main


if __name__ == "__main__":
    main()
