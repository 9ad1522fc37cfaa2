"""Blueprints: petitions (landing pages, lists, detail, actions), sessions (clerk),
inbox, reports (auditor), admin."""
