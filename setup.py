"""Packages: knotenpunkt/ as `knotenpunkt`, shared/ and services/ as its subpackages.

Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

OWN = ["knotenpunkt"] + [
    f"knotenpunkt.{name}"
    for name in find_packages(include=["shared", "shared.*", "services", "services.*"])
]

setup(
    packages=OWN,
    package_dir={
        "knotenpunkt": "knotenpunkt",
        "knotenpunkt.shared": "shared",
        "knotenpunkt.services": "services",
    },
)
