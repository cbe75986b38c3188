"""Example MLKaizen plugin (see README.md)."""
