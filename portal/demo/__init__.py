"""The demo organisation that `seed_demo` writes: words, projects and the seeder (a package of its steps)."""
