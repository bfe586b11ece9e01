"""Knotenpunkt: the `knotenpunkt` command, the composition root, and (as knotenpunkt.shared and
knotenpunkt.services) the shared code and the four services.

The repository keeps its folders (shared/, services/ beside knotenpunkt/); the
wheel installs them as subpackages of this one, so nothing but ``knotenpunkt``
lands in site-packages. Run from a checkout, the checkout's folders are found
through this package's path.
"""

from pathlib import Path as _Path

_checkout = _Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "shared" / "__init__.py").is_file():
    __path__.append(
        str(_checkout)
    )  # knotenpunkt.shared is ./shared, knotenpunkt.services ./services
