"""The four Knotenpunkt services: membership, voting, events and notifications."""
