"""Views of the community app: library (see community/urls_library.py)."""
