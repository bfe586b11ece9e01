"""Swagger UI for a service at ``/api/v1/docs``, served from the service itself (no CDN).

The page and its script use relative addresses only, so the same page works at
the service (``/api/v1/docs``) and behind the gateway
(``/api/v1/<service>/docs``, whose ``openapi.json`` sits beside it). Its
Content-Security-Policy allows scripts and styles from the same origin only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from flask import Flask, abort, request, send_from_directory
from swagger_ui_bundle import swagger_ui_path

ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)

INIT_JS = """\
window.addEventListener("load", function () {
  var here = window.location.href.split("#")[0].split("?")[0].replace(/\\/+$/, "");
  window.ui = SwaggerUIBundle({
    url: here.replace(/\\/docs$/, "/openapi.json"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false
  });
});
"""


def page(title: str, base: str) -> str:
    """The HTML page; ``base`` is the relative prefix of the assets (e.g. ``docs/``)."""
    t = escape(title)
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} – API</title>
<link rel="icon" href="{base}static/favicon-32x32.png">
<link rel="stylesheet" href="{base}static/swagger-ui.css">
</head>
<body>
<main id="swagger-ui" aria-label="{t}: API-Dokumentation"></main>
<script src="{base}static/swagger-ui-bundle.js"></script>
<script src="{base}init.js"></script>
</body>
</html>
"""


def add_docs(app: Flask, title: str) -> None:
    """Register /api/v1/docs, its script and the Swagger UI assets on the app."""

    @app.get("/api/v1/docs")
    @app.get("/api/v1/docs/")
    def api_docs():
        # Relative links must resolve below .../docs/ whether or not the URL ends in a slash.
        base = "" if request.path.endswith("/") else "docs/"
        return (
            page(title, base),
            200,
            {
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": CSP,
                "Cache-Control": "no-cache",
            },
        )

    @app.get("/api/v1/docs/init.js")
    def api_docs_init():
        return (
            INIT_JS,
            200,
            {
                "Content-Type": "text/javascript; charset=utf-8",
                "Cache-Control": "public, max-age=3600",
            },
        )

    @app.get("/api/v1/docs/static/<name>")
    def api_docs_asset(name: str):
        if name not in ASSETS:
            abort(404)
        return send_from_directory(Path(swagger_ui_path), name, max_age=86400)
