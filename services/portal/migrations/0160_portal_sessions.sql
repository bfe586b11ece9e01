-- The portal's server-side sessions (issue 27, point 4). The browser's cookie holds only a random
-- id; a row is found by that id's SHA-256 (`id`), and its data (the login, the token the portal
-- calls the services with, the CSRF token, the language, a pending OIDC login) are sealed with
-- AES-GCM under a key derived from the id: the table alone gives neither a cookie nor a token.
-- A session belongs to a browser, not to a network (the login's network is inside the sealed
-- data), so the table has no tenant column and no row-level security: only the unguessable id
-- finds a row. Logout deletes the row; a row idle too long or past its absolute end is refused
-- and deleted by the portal (PORTAL_SESSION_IDLE_MINUTES, PORTAL_SESSION_MAX_HOURS).

create table portal_sessions (
    id          bytea primary key,
    sealed      bytea not null,
    created_at  timestamptz not null,
    seen_at     timestamptz not null,
    expires_at  timestamptz not null
);
create index portal_sessions_seen on portal_sessions (seen_at);
create index portal_sessions_expires on portal_sessions (expires_at);
