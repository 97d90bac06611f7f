"""Browser tests (pytest + Playwright + Debian chromium); a package so its conftest never shadows tests/conftest.py."""
