"""The workflow vocabulary and the role policy: what a workflow is (states, actions, who may
take them, which clocks start, stop or move — `definition`), and who may act on a case
(`policy`). Concrete workflows are data in the top-level `workflows/` package, found
through the `petitions.workflows` entry point group.

Pure: imports only `engine.language` and the standard library.
"""
