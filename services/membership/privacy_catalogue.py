"""Membership's data catalogue (Art. 30 DSGVO): each table's personal fields, the other fields,
purpose, legal basis, retention and recipients. tests/unit/test_privacy_catalogues.py fails when a
migration adds a column that is not classified here."""

from __future__ import annotations

from knotenpunkt.shared.privacy import table as _t

KEYS = "tenant id created_at updated_at"
NETWORK = ("Koordinierungsstelle", "Mitglieder der Gremien")

CATALOGUE = {
    "oparl_objects": _t(
        "",
        "tenant key kind type digest created_at modified_at deleted_at kept",
        "Verzeichnis der OParl-Schnittstelle: wann ein öffentliches Objekt angelegt, geändert "
        "oder gelöscht wurde (nur Kennungen und Prüfsummen)",
        "public_task",
        "dauerhaft (OParl 1.1: gelöschte Objekte bleiben als gelöscht stehen)",
        ("Öffentlichkeit (Kennung und Zeitpunkte)",),
    ),
    "partners": _t(
        "email phone street postcode city",
        f"{KEYS} name kind website topics languages since status left_on public shared "
        "admitted_at embargoed_until",
        "Verzeichnis der Partnerorganisationen des Netzwerks",
        "public_task",
        "solange die Organisation Partner ist; Kontaktdaten ausgeschiedener Partner nach "
        "privacy.former_member_months Monaten gelöscht",
        (*NETWORK, "Öffentlichkeit (nur öffentliche Angaben)", "verbundene Netzwerke (geteilt)"),
    ),
    "directory_versions": _t(
        "",
        "tenant public internal everyone",
        "Versionszähler der Partnerliste je Sicht (ETag, bedingte Abrufe); keine Personendaten",
        "public_task",
        "solange das Netzwerk besteht",
        (),
    ),
    "body_members": _t(
        "person_id name email department",
        "tenant body partner_id role added_at",
        "Zusammensetzung der Gremien, Einladungen und Abstimmungen",
        "public_task",
        "solange die Mitgliedschaft im Gremium besteht",
        NETWORK,
    ),
    "body_member_removals": _t(
        "person_key",
        "tenant body membership_key removed_at",
        "Löschvermerke der OParl-Schnittstelle: ausgeschiedene öffentliche Gremienmitglieder "
        "bleiben als gelöscht sichtbar (nur Prüfsummen, weder Name noch E-Mail-Adresse)",
        "public_task",
        "dauerhaft (OParl 1.1: gelöschte Objekte bleiben als gelöscht stehen)",
        ("Öffentlichkeit (nur die Kennung, als gelöscht)",),
    ),
    "contacts": _t(
        "name role email phone languages responsibilities consent_at",
        f"{KEYS} partner_id legal_basis public shared",
        "Ansprechpersonen der Partner und der Verwaltung",
        "consent",
        "bis zum Widerruf oder zur Löschung; bei ausgeschiedenen Partnern "
        "privacy.former_member_months Monate nach dem Austritt",
        (*NETWORK, "verbundene Netzwerke (geteilt)"),
    ),
    "applications": _t(
        "contact organisation motivation statements history check_note checked_by",
        f"{KEYS} token_hash status checked_at ballot_id decision partner_id checked_event "
        "announce_at announced_at",
        "Aufnahmeverfahren (Beitrittserklärung, Prüfung, Entscheidung)",
        "contract",
        "abgelehnte und zurückgezogene Anträge privacy.applications_months Monate nach der "
        "letzten Änderung gelöscht; aufgenommene pseudonymisiert bei Löschung",
        ("Koordinierungsstelle", "aufnehmendes Gremium"),
    ),
    "working_group_proposals": _t(
        "proposed_by",
        f"{KEYS} topic aims planned_months partner_id status decided_by decision_note "
        "working_group_id decided_at",
        "Vorschläge zur Gründung von Arbeitsgruppen",
        "public_task",
        "dauerhaft (Beschlusslage); der Name wird bei Löschung ersetzt",
        NETWORK,
    ),
    "working_groups": _t("", f"{KEYS} name topic goals ends_on status proposal_id", "", "none", ""),
    "working_group_members": _t(
        "person_id name",
        "tenant working_group_id partner_id role joined_at",
        "Mitarbeit in Arbeitsgruppen",
        "public_task",
        "solange die Mitarbeit besteht",
        NETWORK,
    ),
    "working_papers": _t(
        "changed_by",
        "tenant working_group_id version content changed_at",
        "Arbeitspapiere der Arbeitsgruppen (Versionen)",
        "public_task",
        "dauerhaft; der Name der Autorin/des Autors wird bei Löschung ersetzt",
        NETWORK,
    ),
    "measures": _t(
        "",
        f"{KEYS} policy_field title responsible indicator unit baseline target current_value "
        "status",
        "",
        "none",
        "",
    ),
    "directory_publications": _t(
        "entries",
        "tenant id published_at previous_at trigger",
        "Veröffentlichte Partnerübersicht (Stand der Veröffentlichung)",
        "public_task",
        "dauerhaft als Veröffentlichungsstand",
        ("Öffentlichkeit",),
    ),
    "doctors": _t(
        "name phone street postcode city",
        "tenant id specialty languages last_verified created_at",
        "Verzeichnis mehrsprachiger Arztpraxen (berufliche Angaben)",
        "public_task",
        "solange die Praxis verzeichnet ist",
        ("Öffentlichkeit",),
    ),
    "offers": _t(
        "contact",
        "tenant id title kind provider target_groups languages place description created_at",
        "Verzeichnis der Angebote",
        "public_task",
        "solange das Angebot besteht",
        ("Öffentlichkeit",),
    ),
    "responsibilities": _t(
        "contact_name contact_email contact_phone",
        "tenant id actor topic responsibility",
        "Zuständigkeiten in der Verwaltung",
        "public_task",
        "solange die Zuständigkeit besteht",
        ("Öffentlichkeit",),
    ),
    "imports": _t(
        "cells outcome created_by applied_by undone_by",
        "tenant id kind filename format status header row_numbers mapping choices counts "
        "created_at applied_at undone_at",
        "Einzug eines Netzwerks: hochgeladene Tabellen (Vorschau), was ihr Import schrieb "
        "(zum Rückgängigmachen) und wer wann was importierte",
        "public_task",
        "solange der Import rückgängig gemacht werden kann; das Protokoll (wer, wann, wie viele) "
        "dauerhaft",
        ("Koordinierungsstelle",),
    ),
    "federation_peers": _t(
        "",
        f"{KEYS} name base_url remote_tenant issuer jwks_url status cursor etag etag_since "
        "last_attempt_at last_sync_at last_full_sync_at last_error unreachable_since "
        "stale_notified_at",
        "",
        "none",
        "",
    ),
    "federation_entries": _t(
        "name data",
        "tenant peer_id kind remote_id modified_at first_seen_at synced_at",
        "Von verbundenen Netzwerken geteilte Partner und Ansprechpersonen",
        "public_task",
        "bis das andere Netzwerk den Eintrag zurückzieht",
        NETWORK,
    ),
    "federation_tombstones": _t("", "tenant kind entry_id reason removed_at", "", "none", ""),
    "federation_erasures": _t(
        "",
        "tenant request_id kind entry_id removed_at",
        "Nachweis, welche geteilten Einträge ein Löschersuchen den Partnernetzwerken meldet "
        "(Art. 17 Abs. 2, Art. 19 DSGVO; nur Kennungen)",
        "legal_obligation",
        "dauerhaft, wie das Löschersuchen",
        ("Koordinierungsstelle",),
    ),
    "federation_erasure_peers": _t(
        "",
        "tenant request_id peer_id confirmed_at",
        "Nachweis, welches Partnernetzwerk die Löschung abgerufen hat (Art. 19 DSGVO)",
        "legal_obligation",
        "dauerhaft, wie das Löschersuchen",
        ("Koordinierungsstelle",),
    ),
    "privacy_requests": _t(
        "subject answers",
        "tenant id kind subject_digest requested_by created_at completed_at",
        "Nachweis der Auskunfts- und Löschersuchen (Art. 5 Abs. 2 DSGVO)",
        "legal_obligation",
        "Auskünfte bis zur Löschung der Person; Löschersuchen nur mit Digest, dauerhaft",
        ("Koordinierungsstelle",),
    ),
}

# The Datenschutzerklärung's sentence of each table that holds personal data (Art. 13/14 DSGVO:
# what is stored and why, in words a reader understands); tests/unit/test_privacy_statement.py
# fails when a table with personal fields has none.
NOTICES = {
    "imports": "Übernimmt die Koordinierungsstelle Partner, Ansprechpersonen oder "
    "Gremienmitglieder aus einer Tabelle, speichern wir die hochgeladene Tabelle bis zur "
    "Übernahme und was die Übernahme schrieb, damit sie sich rückgängig machen lässt; dazu, "
    "wer wann was übernommen hat.",
    "partners": "Von Partnerorganisationen speichern wir Name, Art, Themen und die "
    "Kontaktdaten der Organisation (E-Mail-Adresse, Telefon, Anschrift), um das Verzeichnis "
    "der Partner zu führen; öffentlich sind nur die Angaben, die die Organisation freigibt.",
    "body_members": "Von Mitgliedern der Gremien speichern wir Name, E-Mail-Adresse und "
    "Dienststelle, um sie einzuladen und an Abstimmungen zu beteiligen.",
    "body_member_removals": "Scheidet ein öffentlich genanntes Gremienmitglied aus, bleibt in "
    "der OParl-Schnittstelle nur eine Prüfsumme als gelöschter Eintrag stehen, weder Name noch "
    "E-Mail-Adresse.",
    "contacts": "Von Ansprechpersonen der Partner und der Verwaltung speichern wir Name, "
    "Funktion, E-Mail-Adresse, Telefon, Sprachen und Zuständigkeiten mit ihrer Einwilligung; "
    "jede E-Mail an sie enthält einen Link, mit dem sie die Einwilligung widerrufen.",
    "applications": "Mit einer Beitrittserklärung speichern wir die Angaben zur Organisation, "
    "die Kontaktperson mit E-Mail-Adresse, die Begründung, die Erklärungen zu den Kriterien und "
    "den Verlauf der Prüfung, um über die Aufnahme zu entscheiden.",
    "working_group_proposals": "Bei einem Vorschlag für eine Arbeitsgruppe speichern wir, wer "
    "ihn eingereicht hat, um über ihn zu entscheiden.",
    "working_group_members": "Von Mitwirkenden in Arbeitsgruppen speichern wir Name und "
    "Organisation, um die Arbeitsgruppe zu organisieren.",
    "working_papers": "Bei Arbeitspapieren speichern wir, wer eine Fassung geändert hat.",
    "directory_publications": "Die veröffentlichte Partnerübersicht enthält die öffentlichen "
    "Angaben der Partner so, wie sie am Tag der Veröffentlichung waren.",
    "doctors": "Von Arztpraxen speichern wir Name, Telefon und Anschrift der Praxis, Fachrichtung "
    "und Sprachen, um ein öffentliches Verzeichnis mehrsprachiger Praxen zu führen.",
    "offers": "Zu Angeboten speichern wir die Kontaktangabe der anbietenden Stelle, um das "
    "öffentliche Verzeichnis der Angebote zu führen.",
    "responsibilities": "In der Zuständigkeitsmatrix speichern wir Name, E-Mail-Adresse und "
    "Telefon der zuständigen Ansprechpersonen der Verwaltung.",
    "federation_entries": "Von verbundenen Netzwerken übernehmen wir die Partner und "
    "Ansprechpersonen, die diese Netzwerke zum Teilen freigegeben haben.",
    "privacy_requests": "Zu Auskunfts- und Löschersuchen speichern wir, wer was verlangt hat und "
    "was jeder Dienst geantwortet hat, um die Erfüllung nachzuweisen; bei Löschersuchen nur "
    "eine Prüfsumme der Person.",
}
