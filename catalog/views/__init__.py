"""The catalog's pages, by what they serve: search, projects, assets and adoptions, curation, the radar
of re-built wheels, avatars."""
