"""One organisation listed by several networks is shown once: website or e-mail domain, or
normalised name plus postcode (membership.domain.directory_search.group_entries)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from knotenpunkt.services.membership.domain.directory_search import (
    email_domain,
    group_entries,
    linked,
    match_keys,
    normal_name,
    website_domain,
)


def entry(network, id_, name, *, kind="partner", website=None, email=None, postcode=None):
    return {
        "source": "own" if network == "mittelsachsen" else f"peer-{network}",
        "network": network,
        "type": kind,
        "id": id_,
        "name": name,
        "website": website,
        "email": email,
        "postcode": postcode,
    }


def groups_of(result) -> set[frozenset]:
    return {frozenset((e["source"], e["type"], e["id"]) for e in g["entries"]) for g in result}


def test_the_same_welfare_association_by_name_and_postcode():
    result = group_entries(
        [
            entry("chemnitz", "c1", "Caritasverband Chemnitz e.V.", postcode="09111"),
            entry("mittelsachsen", "m1", "Caritasverband für Chemnitz", postcode="09111"),
            entry("saalekreis", "s1", "Caritasverband Chemnitz", postcode="06217"),
        ]
    )
    assert sorted(sorted(g["networks"]) for g in result) == [
        ["chemnitz", "mittelsachsen"],
        ["saalekreis"],
    ]
    both = next(g for g in result if len(g["networks"]) == 2)
    assert both["name"] == "Caritasverband für Chemnitz"  # the own network's entry names it
    assert both["matched_by"] == ["name:caritasverband chemnitz|09111"]


def test_the_bamf_office_by_web_and_mail_domain():
    result = group_entries(
        [
            entry("chemnitz", "c1", "BAMF Außenstelle Chemnitz", website="https://www.bamf.de/"),
            entry(
                "mittelsachsen",
                "m1",
                "Bundesamt für Migration und Flüchtlinge",
                email="Poststelle@BAMF.de",
                postcode="09120",
            ),
        ]
    )
    assert len(result) == 1 and result[0]["networks"] == ["mittelsachsen", "chemnitz"]
    assert result[0]["matched_by"] == ["domain:bamf.de"]


def test_two_jobcenters_sharing_a_mail_domain_stay_apart_by_postcode():
    result = group_entries(
        [
            entry(
                "chemnitz", "c1", "Jobcenter Chemnitz", email="a@jobcenter-ge.de", postcode="09111"
            ),
            entry(
                "mittelsachsen",
                "m1",
                "Jobcenter Mittelsachsen",
                email="b@jobcenter-ge.de",
                postcode="09599",
            ),
        ]
    )
    assert len(result) == 2


def test_free_mail_and_social_media_never_join():
    result = group_entries(
        [
            entry("chemnitz", "c1", "Verein A", email="verein.a@gmx.de"),
            entry("mittelsachsen", "m1", "Verein B", email="verein.b@gmx.de"),
            entry("saalekreis", "s1", "Verein C", website="https://facebook.com/vereinc"),
            entry("magdeburg", "g1", "Verein D", website="https://www.facebook.com/vereind"),
        ]
    )
    assert len(result) == 4


def test_entries_of_one_network_and_of_different_kinds_never_join():
    result = group_entries(
        [
            entry("chemnitz", "c1", "Sozialamt", email="sozialamt@stadt-chemnitz.de"),
            entry("chemnitz", "c2", "Ausländerbehörde", email="abh@stadt-chemnitz.de"),
            entry(
                "mittelsachsen", "m1", "Anna Beispiel", kind="contact", email="a@stadt-chemnitz.de"
            ),
        ]
    )
    assert len(result) == 3


def test_a_person_shared_by_two_networks_is_one_contact():
    result = group_entries(
        [
            entry("chemnitz", "c1", "Anna Beispiel", kind="contact", email="Anna@Example.org"),
            entry("mittelsachsen", "m1", "A. Beispiel", kind="contact", email="anna@example.org"),
        ]
    )
    assert len(result) == 1 and result[0]["type"] == "contact"


def test_normalisation():
    assert normal_name("Diakonie Chemnitz gGmbH") == normal_name("diakonie   chemnitz")
    assert normal_name("Arbeiterwohlfahrt Kreisverband Mittelsachsen e. V.") == (
        "arbeiterwohlfahrt kreisverband mittelsachsen"
    )
    assert normal_name("Jüdische Gemeinde & Kultur") == "juedische gemeinde kultur"
    assert website_domain("WWW.Caritas-Chemnitz.de/beratung") == "caritas-chemnitz.de"
    assert website_domain("not a url") is None and website_domain(None) is None
    assert email_domain("info@web.de") is None and email_domain("x@Stadt-Chemnitz.DE") == (
        "stadt-chemnitz.de"
    )


# --- Properties -------------------------------------------------------------------------------

NETWORKS = ("chemnitz", "mittelsachsen", "saalekreis")
entries_strategy = st.lists(
    st.builds(
        entry,
        st.sampled_from(NETWORKS),
        st.uuids().map(str),
        st.sampled_from(["Caritas Chemnitz", "caritas chemnitz e.V.", "AWO", "Jobcenter", "DRK"]),
        kind=st.sampled_from(["partner", "partner", "contact"]),
        website=st.sampled_from([None, "https://caritas.de", "www.awo.de", "https://gmail.com"]),
        email=st.sampled_from([None, "a@caritas.de", "b@drk.de", "c@gmx.de", "d@awo.de"]),
        postcode=st.sampled_from([None, "09111", "09599"]),
    ),
    max_size=12,
    unique_by=lambda e: (e["source"], e["type"], e["id"]),
)


@given(entries_strategy, st.randoms())
def test_every_entry_is_in_exactly_one_group_whatever_the_order(entries, rnd):
    result = group_entries(entries)
    seen = [(e["source"], e["type"], e["id"]) for g in result for e in g["entries"]]
    assert sorted(seen) == sorted((e["source"], e["type"], e["id"]) for e in entries)
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    assert groups_of(group_entries(shuffled)) == groups_of(result)


@given(entries_strategy)
def test_linked_entries_share_a_group_and_unlinked_ones_stand_alone(entries):
    result = group_entries(entries)
    group_of = {}
    for n, g in enumerate(result):
        for e in g["entries"]:
            group_of[(e["source"], e["type"], e["id"])] = n
        assert g["networks"] == list(dict.fromkeys(e["network"] for e in g["entries"]))
        assert len({e["type"] for e in g["entries"]}) == 1
    has_link = set()
    for a, b in itertools.combinations(entries, 2):
        shared = {k for k in match_keys(a) if k in match_keys(b)}
        if any(linked(a, b, kind) for kind, _ in shared):
            ida, idb = (a["source"], a["type"], a["id"]), (b["source"], b["type"], b["id"])
            assert group_of[ida] == group_of[idb]
            has_link |= {ida, idb}
    for g in result:
        if len(g["entries"]) > 1:  # nobody is in a group without a link to it
            assert all((e["source"], e["type"], e["id"]) in has_link for e in g["entries"])
            assert g["matched_by"]


@given(entries_strategy)
def test_a_group_regrouped_stays_one_group(entries):
    for g in group_entries(entries):
        assert len(group_entries(g["entries"])) == 1
