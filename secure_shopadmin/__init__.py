"""Hardened logins for a Django shop's console and its members."""

__version__ = "0.1.0.dev0"
