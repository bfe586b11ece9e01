"""Events' data catalogue (Art. 30 DSGVO); tests/unit/test_privacy_catalogues.py fails when a
migration adds a column that is not classified here."""

from __future__ import annotations

from knotenpunkt.shared.privacy import table as _t

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
    "partner_copies": _t(
        "email",
        "tenant partner_id name status updated_at",
        "Einladungen an Partner (Kopie aus der Mitgliederverwaltung)",
        "public_task",
        "solange die Organisation Partner ist",
        NETWORK,
    ),
    "events": _t(
        "",
        "tenant id kind body working_group_id title description starts_at ends_at place "
        "online_url public status sequence agenda_published_at created_at modified_at "
        "withdrawn_at",
        "",
        "none",
        "",
    ),
    "agenda_items": _t(
        "presenter",
        "tenant id event_id position title minutes kind ballot_id partner_id submission_id",
        "Tagesordnungen",
        "public_task",
        "dauerhaft; bei Löschung entfällt der Name",
        NETWORK,
    ),
    "topic_submissions": _t(
        "submitted_by",
        "tenant id event_id title description partner_id status reason created_at",
        "Themenvorschläge für Sitzungen",
        "public_task",
        "dauerhaft; bei Löschung pseudonymisiert",
        NETWORK,
    ),
    "invitations": _t(
        "invitee name email answer answered_at",
        "tenant event_id via",
        "Einladungen und Zusagen",
        "public_task",
        "dauerhaft; bei Löschung anonymisiert (die Zahl der Zusagen bleibt)",
        NETWORK,
    ),
    "introductions": _t(
        "name email",
        "tenant partner_id status event_id agenda_item_id",
        "Vorstellung neuer Partner in der Netzwerkveranstaltung",
        "contract",
        "bis zur Vorstellung",
        NETWORK,
    ),
    "minutes": _t(
        "attendees notes decisions approved_by taken_by",
        "tenant event_id status published_at updated_at approved_at",
        "Protokolle mit Anwesenheit",
        "public_task",
        "dauerhaft; bei Löschung wird der Name in der Anwesenheit ersetzt",
        (*NETWORK, "Öffentlichkeit (veröffentlichte Protokolle)"),
    ),
    "paper_copies": _t(
        "",
        "tenant kind key data created_at modified_at",
        "Gründungsanträge und Arbeitspapiere für die OParl-Schnittstelle (Kopie aus der "
        "Mitgliederverwaltung; ohne Antragstellende und Bearbeitende)",
        "public_task",
        "dauerhaft (öffentliche Unterlagen des Netzwerks)",
        ("Öffentlichkeit (Anträge erst nach der Entscheidung)",),
    ),
    "ballot_results": _t(
        "data",
        "tenant ballot_id",
        "Abstimmungsergebnisse für Protokolle (Kopie aus der Abstimmung)",
        "public_task",
        "dauerhaft; bei Löschung pseudonymisiert",
        NETWORK,
    ),
    "cadence_notices": _t("", "tenant rule due_on status", "", "none", ""),
    "consultations": _t(
        "", "tenant id title opens closes topics anonymous created_at", "", "none", ""
    ),
    "ideas": _t(
        "author",
        "tenant id consultation_id topic text status hidden_reason created_at",
        "Beteiligungsverfahren (Ideen)",
        "consent",
        "Angaben zur Person privacy.idea_author_days Tage nach dem Ende der Beteiligung gelöscht",
        ("Koordinierungsstelle",),
    ),
    "body_member_copies": _t(
        "person_id name email",
        "tenant body",
        "Einladungen der Gremien (Kopie aus der Mitgliederverwaltung)",
        "public_task",
        "solange die Mitgliedschaft besteht",
        NETWORK,
    ),
    "polls": _t("", "tenant id body title status chosen event_id created_at", "", "none", ""),
    "poll_options": _t("", "tenant poll_id id starts_at ends_at", "", "none", ""),
    "poll_answers": _t(
        "person_id answer",
        "tenant poll_id option_id",
        "Terminabstimmungen",
        "public_task",
        "dauerhaft; bei Löschung anonymisiert",
        NETWORK,
    ),
    "processes": _t("", "tenant id title description created_at", "", "none", ""),
    "process_phases": _t(
        "",
        "tenant process_id position title kind event_id consultation_id starts_on ends_on",
        "",
        "none",
        "",
    ),
    "group_member_copies": _t(
        "person_id name",
        "tenant working_group_id partner_id",
        "Einladungen der Arbeitsgruppen (Kopie aus der Mitgliederverwaltung)",
        "public_task",
        "solange die Mitarbeit besteht",
        NETWORK,
    ),
}

# The Datenschutzerklärung's sentence of each table that holds personal data;
# tests/unit/test_privacy_statement.py fails when a table with personal fields has none.
NOTICES = {
    "partner_copies": "Für Einladungen halten wir Name und E-Mail-Adresse der Partner als Kopie "
    "aus der Mitgliederverwaltung.",
    "agenda_items": "In Tagesordnungen steht, wer einen Punkt einbringt oder vorstellt.",
    "topic_submissions": "Bei einem Themenvorschlag für eine Sitzung speichern wir, wer ihn "
    "eingereicht hat.",
    "invitations": "Zu Einladungen speichern wir Name und E-Mail-Adresse der Eingeladenen und "
    "ihre Zu- oder Absage.",
    "introductions": "Für die Vorstellung neuer Partner in der Netzwerkveranstaltung speichern "
    "wir die Organisation und ihre Kontaktperson.",
    "minutes": "Protokolle der Sitzungen nennen die Anwesenden mit Namen.",
    "ballot_results": "Für Protokolle halten wir die Ergebnisse der Abstimmungen mit den "
    "abweichenden Meinungen als Kopie.",
    "ideas": "Bei einer Idee in einem Beteiligungsverfahren speichern wir Ihren Text und, wenn "
    "Sie ihn angeben, Ihren Namen.",
    "body_member_copies": "Für Einladungen der Gremien halten wir Name und E-Mail-Adresse der "
    "Mitglieder als Kopie aus der Mitgliederverwaltung.",
    "poll_answers": "Bei Terminumfragen speichern wir, wer welche Termine passend findet.",
    "group_member_copies": "Für Einladungen der Arbeitsgruppen halten wir Name und "
    "E-Mail-Adresse der Mitwirkenden als Kopie aus der Mitgliederverwaltung.",
}
