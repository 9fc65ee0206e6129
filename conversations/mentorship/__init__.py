"""A running mentorship: the relay, meetings, meeting reports, the start and end surveys."""
