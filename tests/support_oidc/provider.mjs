// panva's oidc-provider (OpenID Certified) set up like a municipal Keycloak realm, for the
// browser tests: realm roles in realm_access.roles, user attributes tenant, bodies and
// person_id mapped into ID and access tokens, RS256 JWT access tokens for the audience
// "knotenpunkt", RP-initiated logout. Started by tests/oidc_realm.py:
//
//   node provider.mjs realm.json      (prints "listening <port>" once it serves)
//
// realm.json: {"client": {client_id, client_secret, redirect_uris, post_logout_redirect_uris},
//              "users": {"<username>": {password, sub, name, email, realm_roles,
//                                       attributes: {tenant, bodies, person_id},
//                                       access_token_ttl?}}}
//
// POST /_realm/rotate makes a new signing key the active one; the old key stays in the key
// set (Keycloak's passive key) so tokens signed before stay verifiable. GET /_realm/state
// names the active key id. Both answer on loopback only, as the whole provider does.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const realm = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const RESOURCE = 'urn:knotenpunkt:api';
const AUDIENCE = 'knotenpunkt';
const cookieKeys = [crypto.randomBytes(32).toString('base64url')];

function newKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), alg: 'RS256', use: 'sig' };
}

const keys = [newKey()];

function userBySub(sub) {
  return Object.values(realm.users).find((u) => u.sub === sub);
}

// What Keycloak's mappers put into the tokens: realm roles, the user attributes.
function mapped(user) {
  return {
    tenant: user.attributes.tenant,
    bodies: user.attributes.bodies || [],
    person_id: user.attributes.person_id,
    realm_access: { roles: user.realm_roles },
  };
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function configuration() {
  return {
    clients: [{
      ...realm.client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys },
    cookies: { keys: cookieKeys },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'knotenpunkt'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      knotenpunkt: ['tenant', 'bodies', 'person_id', 'realm_access'],
    },
    // Keycloak puts the mapped claims into the ID token as well.
    conformIdTokenClaims: false,
    async findAccount(ctx, sub) {
      const user = userBySub(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          const username = Object.keys(realm.users).find((k) => realm.users[k] === user);
          return {
            sub,
            name: user.name,
            preferred_username: username,
            email: user.email,
            email_verified: true,
            ...mapped(user),
          };
        },
      };
    },
    // A first-party client: no consent page (Keycloak: "Consent required" off).
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile email knotenpunkt');
      grant.addOIDCClaims(['tenant', 'bodies', 'person_id', 'realm_access']);
      grant.addResourceScope(RESOURCE, 'knotenpunkt');
      await grant.save();
      return grant;
    },
    ttl: {
      AccessToken(ctx, token) {
        return userBySub(token.accountId)?.access_token_ttl || 300;
      },
      IdToken: 300,
      Session: 3600,
      Grant: 3600,
      Interaction: 600,
      AuthorizationCode: 60,
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // The RP sends id_token_hint: sign out without asking (as Keycloak does).
        async logoutSource(ctx, form) {
          ctx.body = page('Abmelden', `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Abmelden</button>`
            + '<script>document.querySelector("button[name=logout]").click();</script>');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'knotenpunkt',
          audience: AUDIENCE,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    async extraTokenClaims(ctx, token) {
      const user = userBySub(token.accountId);
      return user ? { ...mapped(user), email: user.email, email_verified: true } : undefined;
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Fehler', `<p id="error">${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
    },
  };
}

let provider;

function loginForm(uid, failed) {
  return page('Anmelden beim Netzwerk-Login', (failed ? '<p id="error">Benutzername oder Passwort falsch.</p>' : '')
    + `<form method="post" action="/interaction/${escape(uid)}">`
    + '<label for="username">Benutzername</label> <input id="username" name="username" autocomplete="username">'
    + '<label for="password">Passwort</label> <input id="password" name="password" type="password">'
    + '<button type="submit" id="kc-login">Anmelden</button></form>');
}

async function body(req) {
  let data = '';
  for await (const chunk of req) data += chunk;
  return new URLSearchParams(data);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt } = details;
  if (prompt.name === 'consent') {
    // not reached: loadExistingGrant grants the first-party client
    await provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginForm(uid, false));
    return;
  }
  const form = await body(req);
  const user = realm.users[form.get('username')];
  if (!user || user.password !== form.get('password')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginForm(uid, true));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, {
    mergeWithLastSubmission: false,
  });
}

function build(issuer) {
  const p = new Provider(issuer, configuration());
  p.on('server_error', (ctx, err) => console.error('server_error', err));
  return p;
}

const server = http.createServer(async (req, res) => {
  try {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    if (path.startsWith('/interaction/')) {
      await interaction(req, res);
    } else if (path === '/_realm/rotate' && req.method === 'POST') {
      keys.unshift(newKey());
      provider = build(provider.issuer);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ signing_kid: keys[0].kid, kids: keys.map((k) => k.kid) }));
    } else if (path === '/_realm/state') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ signing_kid: keys[0].kid, kids: keys.map((k) => k.kid) }));
    } else {
      provider.callback()(req, res);
    }
  } catch (err) {
    console.error(err);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err));
  }
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  provider = build(`http://127.0.0.1:${port}`);
  console.log(`listening ${port}`);
});
