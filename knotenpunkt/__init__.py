"""Knotenpunkt: the `knotenpunkt` command and the composition root; the shared code and the
services are its subpackages ``knotenpunkt.shared`` and ``knotenpunkt.services``.

The repository keeps the folders ``shared/`` and ``services/`` beside this one; the
subpackages are committed symbolic links to them (``knotenpunkt/shared -> ../shared``), so
that every tool — the interpreter, an editor's language server, an import-graph checker,
setuptools building the wheel — finds them by the plain file layout. Only ``knotenpunkt`` is
installed; ``import shared`` from a checkout is refused (``shared/__init__.py``).
"""
