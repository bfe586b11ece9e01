"""Federation rules without I/O: what leaves the network, tombstones, page tokens, ETags, what
is accepted from a peer, peer URLs, the schedule, tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from knotenpunkt.services.membership.domain import directory_search
from knotenpunkt.services.membership.domain import federation as fed
from knotenpunkt.shared.errors import RuleViolation
from knotenpunkt.shared.federation import SigningKey, federation_token
from knotenpunkt.shared.net import internal_host

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def partner(**kw):
    return {"id": "p1", "shared": True, "status": "active", "embargoed_until": None, **kw}


def contact(**kw):
    return {"id": "c1", "shared": True, "legal_basis": "consent", "consent_at": NOW, **kw}


def test_what_leaves_the_network():
    assert fed.partner_federated(partner())
    assert not fed.partner_federated(partner(shared=False))
    assert not fed.partner_federated(partner(status="left"))
    assert not fed.partner_federated(partner(embargoed_until=NOW))
    assert fed.contact_federated(contact())
    assert fed.contact_federated(contact(legal_basis="public_task", consent_at=None))
    assert not fed.contact_federated(contact(consent_at=None))
    assert not fed.contact_federated(contact(legal_basis="legitimate_interest"))
    assert not fed.contact_federated(contact(legal_basis="contract"))


def test_tombstone_reasons():
    assert fed.departure("partner", partner(), partner(shared=False)) == "unshared"
    assert fed.departure("partner", partner(), partner(status="left")) == "left"
    assert fed.departure("contact", contact(), None) == "erased"
    assert fed.departure("contact", contact(), contact(consent_at=None)) == "unshared"
    assert fed.departure("partner", partner(shared=False), partner(shared=False)) is None
    assert fed.departure("partner", partner(), partner(name="other")) is None
    assert fed.departure("contact", contact(shared=False), None) is None  # never left


def test_directory_items_carry_directory_fields_only():
    row = {
        "id": "p1",
        "updated_at": NOW,
        "name": "Verein",
        "phone": "0371 123",
        "shared": True,
        "admitted_at": NOW,
        "street": "Markt 1",
    }
    item = fed.directory_item("partner", row)
    assert set(item["data"]) == set(fed.PARTNER_FIELDS) and "phone" not in item["data"]
    person = fed.directory_item(
        "contact",
        {"id": "c1", "updated_at": NOW, "name": "A", "partner_id": "p9", "consent_at": NOW},
        {"p1"},
    )
    assert person["data"]["partner_id"] is None  # its partner is not shared
    assert "consent_at" not in person["data"] and "legal_basis" not in person["data"]


@given(st.datetimes(timezones=st.just(UTC)), st.sampled_from(fed.KINDS), st.uuids())
def test_page_tokens_round_trip(at, kind, entry_id):
    assert fed.read_page_token(fed.page_token(at, kind, entry_id)) == (at, kind, str(entry_id))


@pytest.mark.parametrize("token", ["x", "e30", "W10", "bm90IGpzb24", "WyIyMDI2IiwicCIsMV0"])
def test_broken_page_tokens_are_refused(token):
    with pytest.raises(RuleViolation) as err:
        fed.read_page_token(token)
    assert err.value.field == "page_token"


def test_etags_follow_the_content():
    body = fed.directory_body(
        {"key": "chemnitz"},
        [],
        modified_since=None,
        page_size=10,
        total=0,
        latest=None,
        next_token=None,
    )
    tag = fed.etag_of(body)
    assert tag == fed.etag_of(dict(body)) and tag.startswith('"')
    assert tag != fed.etag_of({**body, "total": 1})
    assert fed.etag_matches(tag, tag) and fed.etag_matches(f'"x", W/{tag}', tag)
    assert fed.etag_matches("*", tag) and not fed.etag_matches('"other"', tag)
    assert not fed.etag_matches(None, tag)


def test_a_peers_entries_are_checked_like_input():
    good = {
        "type": "partner",
        "id": "3f1c",
        "modified_at": NOW.isoformat(),
        "data": {"name": " Verein ", "topics": ["Sprache"], "notes": "intern", "phone": "1"},
    }
    entry = fed.foreign_entry(good)
    assert (
        entry["name"] == "Verein" and "notes" not in entry["data"] and "phone" not in entry["data"]
    )
    assert entry["modified_at"] == NOW
    for bad in (
        {**good, "type": "doctor"},
        {**good, "id": "../x"},
        {**good, "data": {"name": "x" * 201}},
        {**good, "data": {"name": "ok", "topics": "not a list"}},
        {**good, "data": {"name": None}},
        {**good, "modified_at": "2026-03-01T12:00:00"},  # no time zone
        {**good, "data": {"name": "bell\x07"}},
        "not even a mapping",
    ):
        assert fed.foreign_entry(bad) is None
    odd = fed.foreign_entry(
        {**good, "data": {"name": "X", "website": "javascript:alert(1)", "email": "not mail"}}
    )
    assert odd["data"]["website"] is None and odd["data"]["email"] is None
    page = fed.read_page({"items": [good, {"type": "x"}], "tombstones": [{"type": "partner"}]})
    assert len(page["entries"]) == 1 and page["refused"] == 2 and page["latest"] == NOW
    with pytest.raises(ValueError):
        fed.read_page({"items": "nope"})


def test_peer_urls():
    assert fed.peer_url("https://kp.example.org/", "base_url", allow_internal=False) == (
        "https://kp.example.org"
    )
    for url in (
        "http://kp.example.org",
        "https://user:pw@kp.example.org",
        "https://kp.example.org/?x=1",
        "https://127.0.0.1:8001",
        "https://localhost",
        "https://[::1]",
        "https://10.0.0.5",
        "ftp://kp.example.org",
        "https://kp.example.org:99999",
    ):
        with pytest.raises(RuleViolation):
            fed.peer_url(url, "base_url", allow_internal=False)
    assert fed.peer_url("http://127.0.0.1:8001", "base_url", allow_internal=True)
    values = fed.peer_values({"base_url": "https://a.example/"}, allow_internal=False)
    assert fed.default_jwks_url(values["base_url"]) == "https://a.example/.well-known/jwks.json"


@pytest.mark.parametrize(
    "host",
    ["localhost", "kp.localhost", "kp.local", "kp.internal.", "127.0.0.1", "[::1]", "10.0.0.5"]
    + ["169.254.169.254", "[fd00::1]", "[::ffff:127.0.0.1]", "0.0.0.0", "224.0.0.1"],
)
def test_one_rule_says_what_an_internal_host_is(host):
    """Peers and webhooks share it (shared.net): a name is resolved and checked at each call."""
    assert internal_host(host)
    with pytest.raises(RuleViolation):
        fed.peer_url(f"https://{host}/", "base_url", allow_internal=False)


def test_public_hosts_and_names_are_not_internal():
    assert not internal_host("93.184.216.34")
    assert not internal_host("[2606:4700::1111]")
    assert not internal_host("kp.example.org")


def test_schedule_and_overlap():
    peer = {"status": "active", "last_attempt_at": None}
    assert fed.sync_due(peer, NOW, 900)
    assert not fed.sync_due({**peer, "last_attempt_at": NOW - timedelta(seconds=899)}, NOW, 900)
    assert fed.sync_due({**peer, "last_attempt_at": NOW - timedelta(seconds=900)}, NOW, 900)
    assert not fed.sync_due({**peer, "status": "disabled"}, NOW, 900)
    assert fed.request_since(None) is None
    assert fed.request_since(NOW) == NOW - fed.SYNC_OVERLAP
    hour_ago, day_ago = NOW - timedelta(hours=1), NOW - fed.FULL_LISTING_EVERY
    assert fed.request_since(hour_ago, hour_ago, NOW) == hour_ago - fed.SYNC_OVERLAP
    assert fed.request_since(hour_ago, day_ago, NOW) is None  # the daily complete listing
    assert fed.request_since(hour_ago, None, NOW) is None


def test_tombstones_outlive_the_incremental_syncs_that_need_them():
    expire = fed.tombstones_expire_before(NOW)
    assert expire == NOW - fed.FULL_LISTING_EVERY - fed.TOMBSTONE_MARGIN
    # a peer asks for changes only within a day of its last complete listing: a tombstone
    # made just after that listing is still there when it last asks
    listed = NOW - fed.FULL_LISTING_EVERY + timedelta(seconds=1)
    assert fed.request_since(listed, listed, NOW) is not None and listed > expire
    assert fed.TOMBSTONE_MARGIN > fed.SYNC_OVERLAP


def test_networks_of_a_search():
    peers = [
        {"id": "a", "remote_tenant": "chemnitz", "status": "active"},
        {"id": "b", "remote_tenant": "saalekreis", "status": "disabled"},
    ]
    assert directory_search.wanted_sources("all", "mittelsachsen", peers) == (True, ["a"])
    assert directory_search.wanted_sources("own", "mittelsachsen", peers) == (True, [])
    assert directory_search.wanted_sources("chemnitz", "mittelsachsen", peers) == (False, ["a"])
    with pytest.raises(RuleViolation):
        directory_search.wanted_sources("saalekreis", "mittelsachsen", peers)  # disabled


def test_federation_tokens_are_short_lived_and_addressed():
    key = SigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    token = federation_token(
        key,
        issuer="https://b.example/",
        caller_tenant="mittelsachsen",
        audience="https://a.example",
        tenant="chemnitz",
        ttl_seconds=3600,
    )
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(
        token,
        key.private.public_key(),
        algorithms=["RS256"],
        audience="https://a.example",
        issuer="https://b.example",
    )
    assert header["kid"] == key.kid == key.public_jwk["kid"]
    assert claims["exp"] - claims["iat"] == 300  # capped
    assert claims["roles"] == ["federation"] and claims["tenant"] == "chemnitz"
    assert claims["sub"] == "mittelsachsen"
