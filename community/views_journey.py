"""Views of the community app: journey (see community/urls_journey.py)."""
