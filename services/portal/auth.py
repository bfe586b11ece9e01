"""Signing in and out, and the visitor's language.

- Development login (setting DEV_LOGIN): pick network, role and person; the portal
  mints an HS256 token with the platform's development secret.
- OIDC authorization-code flow with PKCE (S256), state and nonce against
  OIDC_ISSUER; the access token is kept in the server-side session (sessions.py: the
  browser holds only a random id) and sent to the services, which verify it against the
  provider's JWKS.

Every login and logout moves the session to a new id (the old one ends); every `next` goes
through targets.safe_next.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import urlsplit

import jwt
import requests
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from . import i18n, labels
from .client import api
from .targets import safe_next
from .tenants import network, networks

bp = Blueprint("auth", __name__)

# The roles a development login offers (their words: labels.ROLES).
DEV_ROLES = tuple(labels.ROLES)


@bp.route("/sprache/<code>")
def language(code):
    if code not in i18n.CODES:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


def _fresh_session() -> None:
    """Forget everything but the language and move the session to a new id (login, logout)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.rotate()


def sign_in(token: str, *, tenant: str, roles: list[str], sub: str, name: str, bodies: list[str]):
    _fresh_session()
    session["token"] = token
    session["user"] = {
        "tenant": tenant,
        "roles": roles,
        "sub": sub,
        "name": name or sub,
        "bodies": bodies,
        "exp": _expiry(token),
    }


def _expiry(token: str) -> int | None:
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        return None
    return int(exp) if isinstance(exp, int | float) else None


def current_user(tenant: str | None = None) -> dict | None:
    """The signed-in person (for this network), or None; an expired token signs out."""
    user = session.get("user")
    if not user:
        return None
    now = current_app.session_interface.clock().timestamp()
    if user.get("exp") and user["exp"] < now:
        session.pop("user", None)
        session.pop("token", None)
        return None
    if tenant is not None and user.get("tenant") != tenant:
        return None
    return user


@bp.route("/anmelden")
def login():
    tenant = request.args.get("tenant") or ""
    nxt = safe_next(request.args.get("next"), "")
    return render_template("login.html", networks=networks(), tenant=tenant, next=nxt)


@bp.post("/abmelden")
def logout():
    """The session ends on the server (its row is deleted: a copied cookie is worth nothing)."""
    id_token = session.get("oidc_id_token")
    _fresh_session()
    flash(_("Sie sind abgemeldet."), "info")
    ending = _end_session_url(id_token) if id_token else None
    return redirect(ending or safe_next(request.form.get("next"), url_for("public.index")))


def _end_session_url(id_token: str) -> str | None:
    """RP-initiated logout: the provider's end_session_endpoint, which ends the login there too
    and sends the visitor back to the portal's start page (None where it has none)."""
    if not current_app.config["OIDC_ISSUER"]:
        return None
    try:
        endpoint = _discovery().get("end_session_endpoint")
    except (requests.RequestException, ValueError, KeyError):
        current_app.logger.warning("OIDC discovery failed at logout", exc_info=True)
        return None
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "client_id": current_app.config["OIDC_CLIENT_ID"],
        "post_logout_redirect_uri": external_url("public.index"),
    }
    return requests.Request("GET", endpoint, params=params).prepare().url


def external_url(endpoint: str, **values) -> str:
    """An absolute link to a page of the portal: on PORTAL_PUBLIC_URL's origin where it is set,
    else on the request's host (checked against ALLOWED_HOSTS before any view runs)."""
    public = urlsplit(current_app.config.get("PUBLIC_URL") or "")
    if public.scheme in ("http", "https") and public.netloc:
        return f"{public.scheme}://{public.netloc}{url_for(endpoint, **values)}"
    return url_for(endpoint, _external=True, **values)


# --- Development login ---------------------------------------------------------------


def _dev_people(tenant: str) -> list[dict]:
    """Everyone in the network's bodies, each with the bodies they sit in."""
    from knotenpunkt.shared.auth import issue_token

    kp = current_app.config["KNOTENPUNKT_SETTINGS"]
    tok = issue_token(kp, tenant=tenant, roles=["coordinator"], sub="portal-dev-login")
    people: dict[str, dict] = {}
    bodies = api().call("GET", "membership", tenant, "bodies", token=tok)
    for body in bodies.data if bodies.ok and isinstance(bodies.data, list) else []:
        members = api().call(
            "GET", "membership", tenant, f"bodies/{body['key']}/members", token=tok
        )
        for m in members.data if members.ok and isinstance(members.data, list) else []:
            p = people.setdefault(
                m["person_id"], {"id": m["person_id"], "name": m.get("name") or "", "bodies": []}
            )
            p["bodies"].append({"key": body["key"], "name": body.get("name", body["key"])})
    return sorted(people.values(), key=lambda p: (p["name"].lower(), p["id"]))


def _login_tenant(enabled: str, source) -> str:
    """The network a login page is for ("" while none is chosen); 404 where the login `enabled`
    (a setting) is off or for a network the portal does not serve."""
    if not current_app.config[enabled]:
        abort(404)
    tenant = source.get("tenant") or ""
    if tenant and network(tenant) is None:
        abort(404)
    return tenant


@bp.route("/anmelden/entwicklung", methods=["GET", "POST"])
def dev_login():
    tenant = _login_tenant("DEV_LOGIN", request.values)
    errors = {}
    people = _dev_people(tenant) if tenant else []
    if request.method == "POST":
        role = request.form.get("role", "")
        person = request.form.get("person", "").strip()
        if role not in DEV_ROLES:
            errors["role"] = [_("Bitte wählen Sie eine Rolle.")]
        chosen = next((p for p in people if p["id"] == person), None)
        if role == "member" and chosen is None:
            errors["person"] = [_("Bitte wählen Sie die Person, als die Sie abstimmen.")]
        if not errors:
            from knotenpunkt.shared.auth import issue_token

            kp = current_app.config["KNOTENPUNKT_SETTINGS"]
            bodies = [b["key"] for b in chosen["bodies"]] if chosen else []
            sub = chosen["id"] if chosen else f"dev-{role}"
            name = chosen["name"] if chosen else str(_("Koordinierungsstelle"))
            tok = issue_token(kp, tenant=tenant, roles=[role], sub=sub, bodies=bodies)
            sign_in(tok, tenant=tenant, roles=[role], sub=sub, name=name, bodies=bodies)
            flash(_("Sie sind angemeldet als %(name)s.", name=name), "success")
            return redirect(
                safe_next(request.form.get("next"), url_for("console.home", tenant=tenant))
            )
    return render_template(
        "dev_login.html",
        networks=networks(),
        tenant=tenant,
        next=safe_next(request.values.get("next"), ""),
        people=people,
        roles=DEV_ROLES,
        errors=errors,
        form=request.form,
    )


# --- OIDC ---------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _discovery() -> dict:
    cache = current_app.extensions.setdefault("portal_oidc", {})
    issuer = current_app.config["OIDC_ISSUER"]
    doc = cache.get("doc")
    if doc is None or cache.get("at", 0) < time.time() - 3600:
        resp = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
        resp.raise_for_status()
        doc = resp.json()
        if doc.get("issuer", "").rstrip("/") != issuer:
            raise ValueError("the discovery document names another issuer")
        kp = current_app.config.get("KNOTENPUNKT_SETTINGS")
        # as the services' verifier: an unknown key id (a rotated key) refetches the key set
        keys = jwt.PyJWKClient(
            doc["jwks_uri"],
            timeout=10,
            lifespan=kp.jwks_cache_seconds if kp else 300,
            cooldown_duration=kp.jwks_refetch_cooldown if kp else 30,
        )
        cache.update(doc=doc, at=time.time(), jwks=keys)
    return doc


@bp.route("/anmelden/oidc")
def oidc_start():
    tenant = _login_tenant("OIDC_ISSUER", request.args)
    try:
        doc = _discovery()
    except (requests.RequestException, ValueError, KeyError):
        current_app.logger.warning("OIDC discovery failed", exc_info=True)
        return render_template("error.html", status=503, reason="login_down"), 503
    verifier = secrets.token_urlsafe(64)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    session["oidc"] = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "tenant": tenant,
        "next": safe_next(request.args.get("next"), ""),
    }
    params = {
        "response_type": "code",
        "client_id": current_app.config["OIDC_CLIENT_ID"],
        "redirect_uri": external_url("auth.oidc_callback"),
        "scope": current_app.config["OIDC_SCOPES"],
        "state": state,
        "nonce": nonce,
        "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    return redirect(
        requests.Request("GET", doc["authorization_endpoint"], params=params).prepare().url
    )


def _refuse(reason: str, message: str | None = None):
    current_app.logger.info("OIDC login refused: %s", reason)
    flash(
        message or _("Die Anmeldung ist fehlgeschlagen. Bitte versuchen Sie es noch einmal."),
        "error",
    )
    return redirect(url_for("auth.login"))


@bp.route("/anmelden/oidc/callback")
def oidc_callback():
    if not current_app.config["OIDC_ISSUER"]:
        abort(404)
    pending = session.pop("oidc", None)
    state = request.args.get("state", "")
    if not pending or not secrets.compare_digest(state, pending["state"]):
        return _refuse("state")
    if request.args.get("error") or not request.args.get("code"):
        return _refuse(request.args.get("error", "no code"))
    conf = current_app.config
    doc = _discovery()
    try:
        resp = requests.post(
            doc["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": request.args["code"],
                "redirect_uri": external_url("auth.oidc_callback"),
                "client_id": conf["OIDC_CLIENT_ID"],
                "code_verifier": pending["verifier"],
            },
            auth=(conf["OIDC_CLIENT_ID"], conf["OIDC_CLIENT_SECRET"])
            if conf["OIDC_CLIENT_SECRET"]
            else None,
            timeout=10,
        )
        tokens = resp.json() if resp.ok else {}
    except (requests.RequestException, ValueError):
        return _refuse("token endpoint")
    id_token, access_token = tokens.get("id_token"), tokens.get("access_token")
    if not id_token or not access_token:
        return _refuse("no tokens")
    try:
        jwks = current_app.extensions["portal_oidc"]["jwks"]
        claims = jwt.decode(
            id_token,
            jwks.get_signing_key_from_jwt(id_token).key,
            algorithms=["RS256", "ES256"],
            audience=conf["OIDC_CLIENT_ID"],
            issuer=conf["OIDC_ISSUER"],
            options={"require": ["sub", "exp", "iat", "nonce"]},
        )
    except jwt.PyJWTError as exc:
        return _refuse(f"id token: {exc}")
    if not secrets.compare_digest(str(claims.get("nonce")), pending["nonce"]):
        return _refuse("nonce")
    from knotenpunkt.shared.auth import claim

    tenant_claim = conf["OIDC_TENANT_CLAIM"]
    tenant = claim(claims, tenant_claim) or pending["tenant"]
    if not isinstance(tenant, str) or network(tenant) is None:
        return _refuse(
            "tenant",
            _(
                "Ihr Konto nennt kein Netzwerk dieses Portals (Claim „%(claim)s“).",
                claim=tenant_claim,
            ),
        )
    if pending["tenant"] and tenant != pending["tenant"]:
        return _refuse(
            "another tenant",
            _(
                "Ihr Konto gehört zum Netzwerk „%(theirs)s“ (Claim „%(claim)s“), nicht zu "
                "„%(wanted)s“. Bitte melden Sie sich bei Ihrem Netzwerk an.",
                theirs=tenant,
                claim=tenant_claim,
                wanted=pending["tenant"],
            ),
        )
    roles = claim(claims, conf["OIDC_ROLES_CLAIM"]) or []
    roles = [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else []
    bodies = claim(claims, conf.get("OIDC_BODIES_CLAIM", "bodies"))
    bodies = [b for b in bodies if isinstance(b, str)] if isinstance(bodies, list) else []
    # the person as the bodies' member lists know them (the services read the same claim)
    person = claim(claims, conf.get("OIDC_PERSON_CLAIM", "person_id")) or claims["sub"]
    name = claims.get("name") or claims.get("preferred_username") or claims["sub"]
    sign_in(access_token, tenant=tenant, roles=roles, sub=str(person), name=name, bodies=bodies)
    session["oidc_id_token"] = id_token  # the hint for the provider's logout
    return redirect(safe_next(pending.get("next"), url_for("console.home", tenant=tenant)))
