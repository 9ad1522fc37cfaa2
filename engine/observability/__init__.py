"""The one log format (a line per event, JSON with LOG_FORMAT=json) and the request-id and
petition-code context it carries, shared by the web, the CLI, the worker and beat.

Imports only the standard library.
"""
