"""The CloudEvents envelope and the checks a consumer makes before it trusts a message."""

from __future__ import annotations

import json
import uuid

import pytest

from knotenpunkt.shared.messaging import (
    EnvelopeError,
    binding_keys,
    envelope,
    event_name,
    parse,
    routing_key,
)


def test_envelope_is_cloudevents_1_0():
    env = envelope("membership", "chemnitz", "application", "checked", {"id": "a1"}, subject="a1")
    assert env["specversion"] == "1.0"
    assert uuid.UUID(env["id"])
    assert env["source"] == "/membership/chemnitz"
    assert env["type"] == "de.knotenpunkt.membership.application.checked"
    assert env["datacontenttype"] == "application/json"
    assert env["tenant"] == "chemnitz" and env["subject"] == "a1"
    assert event_name(env) == "membership.application.checked"
    assert (
        routing_key("chemnitz", "membership", "application", "checked")
        == "chemnitz.membership.application.checked"
    )


def test_parse_accepts_bytes_and_rejects_garbage():
    env = envelope("voting", "magdeburg", "ballot", "closed", {})
    assert parse(json.dumps(env).encode()) == env
    with pytest.raises(EnvelopeError, match="not JSON"):
        parse(b"{nope")
    with pytest.raises(EnvelopeError, match="lacks"):
        parse(json.dumps({"specversion": "1.0"}))
    with pytest.raises(EnvelopeError, match="not a Knotenpunkt CloudEvent"):
        parse(json.dumps({**env, "type": "com.example.other"}))
    with pytest.raises(EnvelopeError, match="UUID"):
        parse(json.dumps({**env, "id": "42"}))


def test_binding_keys_match_any_tenant():
    assert binding_keys({"membership.body.member_added": None}) == [
        "*.membership.body.member_added"
    ]
