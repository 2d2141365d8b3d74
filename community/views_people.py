"""Views of the community app: people (see community/urls_people.py)."""
