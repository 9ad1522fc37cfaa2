"""Compiles the admin's translation catalogs (.po → .mo) into every build, so an installed
package (a wheel, the Docker image) ships them ready and nobody runs a manual step. The
admin still compiles a stale or missing catalog at start (editable installs)."""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
        for po in Path(self.build_lib, "web", "translations").glob("*/LC_MESSAGES/messages.po"):
            with open(po, "rb") as f:
                catalog = read_po(f)
            with open(po.with_suffix(".mo"), "wb") as f:
                write_mo(f, catalog)


setup(cmdclass={"build_py": BuildWithCatalogs})
