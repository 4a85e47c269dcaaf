"""Tooling beside the runtime: the command line, demo data, samples, the app package."""
