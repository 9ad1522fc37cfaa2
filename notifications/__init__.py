"""Channels, templates, recipient routing and the dispatcher that drains the outbox."""
