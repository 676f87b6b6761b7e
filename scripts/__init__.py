"""Release tooling: scripts/release.py builds and checks a release; scripts/make_icon.py draws icon.png."""
