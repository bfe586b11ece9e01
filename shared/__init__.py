"""Knotenpunkt's shared parts: settings, tenant rules, database, messaging, web and CLI."""
