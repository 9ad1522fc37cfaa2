"""The domain core: calendar, clocks, workflow runtime, persistence, services, scheduler.

Never imports Flask, `web` or `notifications`.
"""
