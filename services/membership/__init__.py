"""Membership service: partners, contact persons, applications, bodies, working groups, directories."""
