"""Events: coordinators create and publish them (form), women answer the invitations (rsvp) and get a place or a
place on the waitlist (places), coordinators follow them (admin), and a friend can come through a link (guests)."""
