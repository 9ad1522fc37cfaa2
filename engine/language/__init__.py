"""What the product says: domain errors with their Vietnamese and English messages (one
catalogue, `messages`), dates and weekday names as a Vietnamese office writes them, and
text folding for accent-insensitive search.

Pure and at the bottom: imports nothing of the engine.
"""
