"""Runegate: a self-hosted, Asgardeo-compatible identity platform."""

__version__ = "0.1.0"
