"""Views of the community app: badges (see community/urls_badges.py)."""
