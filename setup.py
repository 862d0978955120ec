"""Installer for paeria.egov (metadata lives here only; pyproject.toml holds tool settings)."""

from pathlib import Path
from setuptools import find_namespace_packages
from setuptools import setup


long_description = Path("README.md").read_text(encoding="utf-8")

setup(
    name="paeria.egov",
    version="1.0.0a1",
    description=(
        "Electronic administration for city councils on Plone: procedure catalogue, "
        "register, electronic case files (ENI), signatures and notifications."
    ),
    long_description=long_description,
    long_description_content_type="text/markdown",
    classifiers=[
        "Environment :: Web Environment",
        "Framework :: Plone",
        "Framework :: Plone :: 6.2",
        "Framework :: Plone :: Addon",
        "Programming Language :: Python",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Operating System :: OS Independent",
        "License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
        "Natural Language :: Spanish",
        "Natural Language :: Catalan",
    ],
    keywords="Plone e-government ENI Ley 39/2015 expediente registro",
    author="paeria.egov developers",
    license="GPL version 2",
    packages=find_namespace_packages("src", include=["paeria.*"]),
    package_dir={"": "src"},
    include_package_data=True,
    zip_safe=False,
    python_requires=">=3.11",
    install_requires=[
        "setuptools",
        "Products.CMFPlone",
        "plone.api",
        "plone.app.dexterity",
        "plone.app.contenttypes",
        "plone.app.registry",
        "plone.autoinclude",
        "plone.restapi",
        "plone.app.layout",
        "Zope",
        "lxml",
        "python-stdnum",
        "holidays",
        "reportlab",
        "pypdf",
        "collective.z3cform.datagridfield",
        # The reference data loader: fake Spanish people and companies, and
        # its progress bar.
        "Faker",
        "tqdm",
        # Electronic signatures (signing/): PAdES and CAdES, certificate
        # validation.
        "pyHanko",
        "pyhanko-certvalidator",
        "cryptography",
        "asn1crypto",
    ],
    extras_require={
        "relstorage": [
            "RelStorage[postgresql]",
        ],
        "test": [
            # Not plone.restapi[test]: its test add-ons (discussion,
            # multilingual, iterate, caching) would be installed beside the
            # portal and loaded into it.
            "plone.app.testing",
            "zope.testrunner",
            "hypothesis",
            "pytest",
            "requests",
            "RelStorage[postgresql]",
            # `pyhanko sign validate`, the independent check of PAdES output.
            "pyhanko-cli",
            # The browser suite (tests/browser/): Playwright drives Debian's
            # Chromium (never a browser of its own), axe-core checks WCAG 2.1.
            "playwright",
            "axe-playwright-python",
        ],
        "dev": [
            # The sampling profiler docs/performance.md's profiles were taken
            # with (`py-spy record -- .venv/bin/paeria-instance ...`).
            "py-spy",
            "ruff",
            # `make lint` checks the package map (pyproject.toml, docs/architecture.md).
            "import-linter",
            "zpretty",
            "zest.pocompile",
            "i18ndude",
            "zc.buildout",
            "plone.recipe.zope2instance",
        ],
    },
    entry_points={
        "z3c.autoinclude.plugin": ["target = plone"],
        "console_scripts": [
            "paeria-instance = paeria.egov.instance.cli:main",
        ],
    },
)
