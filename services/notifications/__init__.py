"""Notifications service: e-mail and signed webhooks, templates, reminders, delivery log."""
