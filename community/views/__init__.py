"""The community app's pages, by area: people (profiles, kudos, rules, project communities), the
journey, badges, and the library of guidelines and templates. Their routes are in community/urls.py."""
