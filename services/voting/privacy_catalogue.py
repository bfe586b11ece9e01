"""Voting's data catalogue (Art. 30 DSGVO); tests/unit/test_privacy_catalogues.py fails when a
migration adds a column that is not classified here."""

from __future__ import annotations

from knotenpunkt.shared.privacy import table as _t

BODY = ("Mitglieder des Gremiums", "Koordinierungsstelle")
DECISION = "dauerhaft (Beschlusslage); bei Löschung der Person pseudonymisiert"

CATALOGUE = {
    "electorate": _t(
        "person_id name email",
        "tenant body role updated_at",
        "Stimmberechtigte der Gremien (Kopie aus der Mitgliederverwaltung)",
        "public_task",
        "solange die Mitgliedschaft im Gremium besteht",
        BODY,
    ),
    "ballots": _t(
        "dissent opened_by closed_by",
        "tenant id body title text subject_kind subject_id decision_rule quorum "
        "reasons_required_for secret binding outcome_to close_when_all_voted status opened_at "
        "deadline closed_at electorate_size tally outcome reminder_sent_at origin",
        "Abstimmungen der Gremien und ihre Ergebnisse (Gegenstimmen mit Begründung)",
        "public_task",
        DECISION,
        BODY,
    ),
    "ballot_electorate": _t(
        "person_id name email",
        "tenant ballot_id",
        "Stimmberechtigte bei Eröffnung einer Abstimmung",
        "public_task",
        DECISION,
        BODY,
    ),
    "votes": _t(
        "person_id choice reason",
        "tenant ballot_id cast_at changes",
        "Namentliche Stimmen",
        "public_task",
        DECISION,
        BODY,
    ),
    "participation": _t(
        "person_id",
        "tenant ballot_id",
        "Teilnahme an geheimen Abstimmungen (nur dass, nicht wie)",
        "public_task",
        DECISION,
        BODY,
    ),
    "secret_votes": _t("", "tenant ballot_id id choice reason", "", "none", ""),
    "ballot_record": _t(
        "entry",
        "tenant ballot_id id seq prev_hash hash",
        "Prüfbares Protokoll jeder Abstimmung (Hash-Kette)",
        "public_task",
        "dauerhaft; bei Löschung wird der Name durch ein Pseudonym ersetzt und das als "
        "eigener Eintrag der Kette festgehalten",
        BODY,
    ),
}
