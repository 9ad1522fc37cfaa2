"""Concrete workflows as data, run by the engine's generic runtime."""
