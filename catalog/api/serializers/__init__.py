"""Serializers of the catalog API, by what they carry: projects (projects.py: reading, registering and
editing them, review and curation, look-alikes, similar entries), assets and adoptions (assets.py), and
what both share (common.py: word lists, repositories, the named things projects carry). Importers name
the module: nothing is re-exported here."""
