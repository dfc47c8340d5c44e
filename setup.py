"""The one build step beyond pyproject.toml: the wheel carries the seed articles and prompts.

The repository keeps them in its top-level `knowledge/` and `prompts/` folders (the analysts' layout); a
non-editable install (`pip install .`, pipx, `uv tool install`) gets copies in `bot/data/`, found by
`bot/paths.py`. An editable install reads the top-level folders themselves, so nothing is copied for it.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("knowledge", "prompts")


class BuildWithShippedData(build_py):
    """build_py that also copies the shipped Markdown folders into the built package."""

    def run(self) -> None:
        """Build the package, then add bot/data/knowledge and bot/data/prompts to it."""
        super().run()
        if self.editable_mode:
            return
        root = Path(__file__).resolve().parent
        for name in SHIPPED:
            target = Path(self.build_lib) / "bot" / "data" / name
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for path in sorted((root / name).glob("*.md")):
                shutil.copy2(path, target / path.name)


setup(cmdclass={"build_py": BuildWithShippedData})
