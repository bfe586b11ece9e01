"""The public partner list as a conditional, cacheable read: ETag, 304, Cache-Control.

Any change to a partner of the network that a view shows (through the API or not: an update
that leaves updated_at alone, a delete) gives every page of that view a new ETag; a tag never
answers for another network, another query or another caller's view. The version is a
per-network counter per view kept by the partners' triggers in the writing transaction
(migration 0110; issue 28 point 2): every write path moves it, a change no view of the caller
shows (a non-public partner, for anonymous callers) leaves that caller's tag alone, and a write
that is rolled back moves nothing.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.support import unique

LIST = "/api/v1/{tenant}/partners?q={q}"


@pytest.fixture
def partner(clients, token):
    """A public partner of Chemnitz with a name no other test uses: (id, name)."""
    name = unique("Verzeichnisverein")
    created = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        json={"name": name, "kind": "initiative", "city": "Chemnitz"},
        headers=token("chemnitz", "coordinator"),
    )
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"], name


def admin_sql(settings, statement: str, args: tuple) -> int:
    """Run a statement as the privileged role (a write path beside the API); rows touched."""
    with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
        return conn.execute(statement, args).rowcount


def test_anonymous_list_has_a_weak_etag_and_is_publicly_cacheable(clients, partner):
    _, name = partner
    r = clients["membership"].get(LIST.format(tenant="chemnitz", q=name))
    assert r.status_code == 200 and [p["name"] for p in r.get_json()["items"]] == [name]
    assert r.headers["ETag"].startswith('W/"') and r.headers["ETag"].endswith('"')
    assert r.headers["Cache-Control"] == "public, no-cache"
    assert "Authorization" in r.headers["Vary"]
    assert r.headers["Content-Type"] == "application/json"


def test_unchanged_page_is_answered_304_without_a_body(clients, partner):
    c = clients["membership"]
    url = LIST.format(tenant="chemnitz", q=partner[1])
    etag = c.get(url).headers["ETag"]
    again = c.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, no-cache"
    # a list of tags, the strong form of the tag and `*` all match (weak comparison)
    assert c.get(url, headers={"If-None-Match": f'W/"other", {etag}'}).status_code == 304
    assert c.get(url, headers={"If-None-Match": etag.removeprefix("W/")}).status_code == 304
    assert c.get(url, headers={"If-None-Match": "*"}).status_code == 304
    assert c.get(url, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200


def test_a_changed_partner_gives_a_new_etag_and_the_new_page(clients, token, partner):
    c = clients["membership"]
    pid, name = partner
    url = LIST.format(tenant="chemnitz", q=name)
    before = c.get(url)
    etag = before.headers["ETag"]
    patched = c.patch(
        f"/api/v1/chemnitz/partners/{pid}",
        json={"city": "Zwickau"},
        headers=token("chemnitz", "coordinator"),
    )
    assert patched.status_code == 200
    after = c.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert after.get_json()["items"][0]["city"] == "Zwickau"
    # the new tag holds until the next change
    assert c.get(url, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304


def test_a_change_to_another_partner_changes_the_etag_too(clients, token, partner):
    """The version covers the network's partners as a whole: a new partner, on another page
    or not matching the query at all, still makes a cached page revalidate."""
    c = clients["membership"]
    url = LIST.format(tenant="chemnitz", q=partner[1])
    etag = c.get(url).headers["ETag"]
    created = c.post(
        "/api/v1/chemnitz/partners",
        json={"name": unique("Anderer Verein"), "kind": "other"},
        headers=token("chemnitz", "coordinator"),
    )
    assert created.status_code == 201
    assert c.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_write_that_leaves_updated_at_alone_changes_the_etag(clients, settings, partner):
    c = clients["membership"]
    pid, name = partner
    url = LIST.format(tenant="chemnitz", q=name)
    etag = c.get(url).headers["ETag"]
    # like the privacy clean-up: a column changed, updated_at not
    assert (
        admin_sql(
            settings,
            "update partners set website = %s where id = %s",
            ("https://neu.example.org", pid),
        )
        == 1
    )
    after = c.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert after.get_json()["items"][0]["website"] == "https://neu.example.org"


def test_a_deleted_partner_changes_the_etag(clients, settings, partner):
    c = clients["membership"]
    pid, name = partner
    url = LIST.format(tenant="chemnitz", q=name)
    etag = c.get(url).headers["ETag"]
    assert admin_sql(settings, "delete from partners where id = %s", (pid,)) == 1
    after = c.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert after.get_json()["items"] == [] and after.get_json()["total"] == 0


def test_signed_in_answers_are_private_and_do_not_match_the_public_tag(clients, token, partner):
    c = clients["membership"]
    url = LIST.format(tenant="chemnitz", q=partner[1])
    public = c.get(url)
    coord = token("chemnitz", "coordinator")
    private = c.get(url, headers=coord)
    assert private.status_code == 200 and "email" in private.get_json()["items"][0]
    assert private.headers["Cache-Control"] == "private, no-cache"
    assert "public" not in private.headers["Cache-Control"]
    assert "Authorization" in private.headers["Vary"]
    assert private.headers["ETag"] != public.headers["ETag"]
    # the public page's tag does not stand for the coordinators' fuller page, nor the reverse
    assert c.get(url, headers={**coord, "If-None-Match": public.headers["ETag"]}).status_code == 200
    assert c.get(url, headers={"If-None-Match": private.headers["ETag"]}).status_code == 200
    # a signed-in caller revalidates their own page
    again = c.get(url, headers={**coord, "If-None-Match": private.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "private, no-cache"


def test_no_304_across_networks_or_queries(clients, partner):
    c = clients["membership"]
    q = unique("niemand")  # no partner anywhere: both networks' pages read the same
    chemnitz = c.get(LIST.format(tenant="chemnitz", q=q))
    magdeburg_url = LIST.format(tenant="magdeburg", q=q)
    assert chemnitz.get_json()["items"] == [] == c.get(magdeburg_url).get_json()["items"]
    tag = chemnitz.headers["ETag"]
    assert c.get(magdeburg_url, headers={"If-None-Match": tag}).status_code == 200
    assert c.get(magdeburg_url).headers["ETag"] != tag
    # the same network, another page or page size: another tag
    url = LIST.format(tenant="chemnitz", q=partner[1])
    etag = c.get(url).headers["ETag"]
    assert c.get(url + "&page=2", headers={"If-None-Match": etag}).status_code == 200
    assert c.get(url + "&page_size=5", headers={"If-None-Match": etag}).status_code == 200


def test_bad_input_is_still_a_problem_not_a_304(clients, partner):
    c = clients["membership"]
    url = LIST.format(tenant="chemnitz", q=partner[1])
    etag = c.get(url).headers["ETag"]
    bad = c.get(url + "&page_size=0", headers={"If-None-Match": etag})
    assert bad.status_code == 422 and "query.page_size" in bad.get_json()["errors"]


VIEWS = {
    "anonymous": lambda token: {},
    "partner": lambda token: token("chemnitz", "partner"),
    "conference": lambda token: token("chemnitz", "member", bodies=["netzwerkkonferenz"]),
    "coordinator": lambda token: token("chemnitz", "coordinator"),
}


def tags(c, token, url: str = "/api/v1/chemnitz/partners") -> dict:
    """The ETag of the list as each kind of caller reads it (the HEAD's agrees with the GET's)."""
    out = {}
    for who, headers in VIEWS.items():
        got = c.get(url, headers=headers(token))
        assert got.status_code == 200
        assert c.head(url, headers=headers(token)).headers["ETag"] == got.headers["ETag"]
        out[who] = got.headers["ETag"]
    return out


@pytest.mark.parametrize(
    "change",
    [
        {"city": "Zwickau"},  # update
        {"name": "renamed"},
        {"topics": ["Sprache"], "languages": ["ar"]},
        {"public": False},  # visibility
        {"shared": True},  # sharing with other networks
        {"status": "left", "left_on": "2026-06-30"},  # leaving
    ],
    ids=["update", "rename", "topics", "visibility", "sharing", "leaving"],
)
def test_every_write_path_of_the_api_changes_the_etag_of_every_view(
    clients, token, partner, change
):
    c = clients["membership"]
    pid, name = partner
    if change.get("name") == "renamed":
        change = {"name": unique("Umbenannter Verein")}
    before = tags(c, token)
    patched = c.patch(
        f"/api/v1/chemnitz/partners/{pid}", json=change, headers=token("chemnitz", "coordinator")
    )
    assert patched.status_code == 200, patched.get_json()
    after = tags(c, token)
    assert [who for who in VIEWS if after[who] == before[who]] == []
    # and it holds until the next change
    assert tags(c, token) == after


def test_creating_and_deleting_a_partner_change_the_etag_of_every_view(clients, token, settings):
    c = clients["membership"]
    before = tags(c, token)
    created = c.post(
        "/api/v1/chemnitz/partners",
        json={"name": unique("Neuer Verein"), "kind": "initiative"},
        headers=token("chemnitz", "coordinator"),
    )
    assert created.status_code == 201
    middle = tags(c, token)
    assert [who for who in VIEWS if middle[who] == before[who]] == []
    assert admin_sql(settings, "delete from partners where id = %s", (created.get_json()["id"],))
    after = tags(c, token)
    assert [who for who in VIEWS if after[who] == middle[who]] == []


def test_a_non_public_partner_moves_the_signed_in_views_only(clients, token):
    """What the anonymous list cannot show does not move its tag (issue 27 point 1)."""
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    before = tags(c, token)
    created = c.post(
        "/api/v1/chemnitz/partners",
        json={"name": unique("Interner Verein"), "kind": "other", "public": False},
        headers=coord,
    )
    assert created.status_code == 201
    pid = created.get_json()["id"]
    c.patch(f"/api/v1/chemnitz/partners/{pid}", json={"city": "Plauen"}, headers=coord)
    after = tags(c, token)
    assert after["anonymous"] == before["anonymous"]
    assert all(after[who] != before[who] for who in ("partner", "conference", "coordinator"))
    # made public, it moves the anonymous tag as well
    c.patch(f"/api/v1/chemnitz/partners/{pid}", json={"public": True}, headers=coord)
    assert tags(c, token)["anonymous"] != after["anonymous"]


def test_a_write_rolled_back_moves_no_version(clients, token, partner):
    """The counters change in the writing transaction: a refused change (a name taken, 409)
    leaves every tag as it was."""
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    other = c.post(
        "/api/v1/chemnitz/partners",
        json={"name": unique("Zweiter Verein"), "kind": "other"},
        headers=coord,
    ).get_json()
    before = tags(c, token)
    taken = c.patch(
        f"/api/v1/chemnitz/partners/{other['id']}", json={"name": partner[1]}, headers=coord
    )
    assert taken.status_code == 409
    assert tags(c, token) == before


def test_the_version_is_a_primary_key_lookup_not_a_scan(settings):
    """The counter is read by its key; the embargo ends by the partial index, not every row."""
    with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
        conn.execute("set enable_seqscan = off")
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                "explain select everyone from directory_versions where tenant = 'chemnitz'"
            ).fetchall()
        )
        assert "directory_versions_pkey" in plan
        ends = "\n".join(
            r[0]
            for r in conn.execute(
                "explain select count(*) from partners where tenant = 'chemnitz'"
                " and embargoed_until is not null and embargoed_until <= now()"
            ).fetchall()
        )
        assert "partners_embargo_ends" in ends


def test_a_version_read_is_one_transaction_per_statement_of_its_tenant(apps):
    """shared.db.OneTrip (the version behind the list's ETag in one round trip): the tenant's
    rows only, read-only, a failed statement rolled back and the connection still usable."""
    with apps["membership"].app_context():
        from knotenpunkt.shared.web import service_context

        db = service_context().database()  # opened on first use
    with db.one_trip("magdeburg") as conn:
        row = conn.execute(
            "select current_setting('app.tenant') as t, count(*) filter"
            " (where tenant <> %(t)s) as foreign from partners",
            {"t": "magdeburg"},
        ).fetchone()
        assert row == {"t": "magdeburg", "foreign": 0}
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("delete from partners where name = %s", ("O'Neil; drop table x",))
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("select 1 / %s as n", (0,))
        assert conn.execute("select %s::text as v", ("it's; fine",)).fetchone() == {
            "v": "it's; fine"
        }
    with db.connection() as plain:
        assert plain.autocommit is False  # handed back to the pool as it was taken
