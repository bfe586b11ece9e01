"""Notifications' data catalogue (Art. 30 DSGVO); tests/unit/test_privacy_catalogues.py fails when
a migration adds a column that is not classified here."""

from __future__ import annotations

from knotenpunkt.shared.privacy import table as _t

CATALOGUE = {
    "recipients": _t(
        "ref name email",
        "tenant kind scope updated_at",
        "Empfänger der Benachrichtigungen; Adressen der Kontaktpersonen, deren Daten auf ihrer"
        " Einwilligung beruhen (für den Widerrufslink in jeder E-Mail; Kopie aus der"
        " Mitgliederverwaltung)",
        "public_task",
        "solange die Mitgliedschaft oder Partnerschaft besteht",
        ("E-Mail-Versand (SMTP-Server des Netzwerks)",),
    ),
    "notifications": _t(
        "recipient recipient_name subject body attachments last_error",
        "tenant id event_id event_type channel template language category mandatory status "
        "attempts next_attempt_at created_at sent_at about",
        "Versand und Zustellnachweis der E-Mails und Webhooks",
        "public_task",
        "Zustellprotokoll privacy.delivery_log_days Tage nach dem Anlegen gelöscht",
        ("E-Mail-Versand (SMTP-Server des Netzwerks)", "Webhook-Empfänger"),
    ),
    "webhooks": _t("", "tenant id url secret event_types active created_at", "", "none", ""),
    "preferences": _t(
        "email category opted_out language",
        "tenant updated_at",
        "Abbestellungen und Sprache der Benachrichtigungen",
        "consent",
        "bis zur Löschung der Person",
        (),
    ),
}

# The Datenschutzerklärung's sentence of each table that holds personal data;
# tests/unit/test_privacy_statement.py fails when a table with personal fields has none.
NOTICES = {
    "recipients": "Für den Versand von Benachrichtigungen halten wir Name und E-Mail-Adresse "
    "der Gremienmitglieder, Partner und Ansprechpersonen als Kopie aus der Mitgliederverwaltung.",
    "notifications": "Von jeder E-Mail, die wir versenden, speichern wir Empfänger, Betreff, "
    "Text und das Ergebnis der Zustellung; dazu gehören auch Ihre Rückmeldungen zur "
    "Barrierefreiheit (Name, E-Mail-Adresse, Nachricht) und die Eingangsbestätigung an Sie.",
    "preferences": "Bestellen Sie eine Art von Nachrichten ab, speichern wir Ihre "
    "E-Mail-Adresse mit der Abbestellung und der gewünschten Sprache.",
}
