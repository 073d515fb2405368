"""Demo data for every app (`manage.py seed_demo`). It sits above the apps: it imports queueing,
kiosks and the rest to seed them, and nothing imports it, so that queueing never depends on the
apps built on it (tests/test_architecture.py)."""
