"""The thin Flask admin."""
