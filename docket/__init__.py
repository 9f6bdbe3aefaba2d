"""Docket: case management, oversight and transparency for an online regulator."""

__version__ = "0.1.0"
