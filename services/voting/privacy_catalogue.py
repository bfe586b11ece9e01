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

# The Datenschutzerklärung's sentence of each table that holds personal data;
# tests/unit/test_privacy_statement.py fails when a table with personal fields has none.
NOTICES = {
    "electorate": "Von den Stimmberechtigten der Gremien halten wir Name und E-Mail-Adresse als "
    "Kopie aus der Mitgliederverwaltung, um Abstimmungen zu eröffnen und zu erinnern.",
    "ballots": "Zu jeder Abstimmung eines Gremiums speichern wir Gegenstand, Ergebnis und die "
    "Begründungen abweichender Stimmen mit dem Namen der Person.",
    "ballot_electorate": "Beim Eröffnen einer Abstimmung halten wir fest, wer stimmberechtigt "
    "war, damit das Ergebnis nachprüfbar bleibt.",
    "votes": "Bei namentlichen Abstimmungen speichern wir, wer wie abgestimmt hat.",
    "participation": "Bei geheimen Abstimmungen speichern wir nur, dass jemand abgestimmt hat, "
    "nicht wie.",
    "ballot_record": "Jede Abstimmung hat ein prüfbares Protokoll (eine Hash-Kette), in dem die "
    "Namen der Abstimmenden stehen.",
}
