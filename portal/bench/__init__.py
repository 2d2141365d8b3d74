"""`python manage.py benchmark`: generate a synthetic organisation in a dedicated PostgreSQL database,
serve it with gunicorn, measure the portal over real HTTP next to its floors, and write a report.

Modules: scales (how big), dbtools (the bench database, COPY), gen_catalog / gen_activity (the data),
worker (phases that run the app's own code in a subprocess on the bench database), forge (a local
GitHub-shaped server, served by fakeforge: the one fake forge, which the tests use too), http (gunicorn
and the HTTP measurements), floors (hand-written SQL and COPY), report (targets, ratios, the table) and
runner (one run, end to end).
"""
