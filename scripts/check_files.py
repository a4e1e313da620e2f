"""The checks of .pre-commit-config.yaml's pre-commit-hooks, for `make lint` without GitHub.

trailing-whitespace, end-of-file-fixer, mixed-line-ending (LF), check-merge-conflict, check-xml
and debug-statements, on the files git knows (tracked, or new and not ignored), with the same
exclusions as the config (Odoo's .po/.pot files, images). Reports; fixes nothing (pre-commit's
hooks or `make format` do). check-yaml is left to prettier, which parses the YAML it checks.

    python scripts/check_files.py [ROOT]
"""

import re
import subprocess
import sys
from pathlib import Path

from lxml import etree

SKIPPED = re.compile(r"/i18n/.*\.pot?$|\.(png|jpg|ico|svg)$|^\.local/|^\.venv/")
CONFLICT = re.compile(r"^(<<<<<<< |=======$|>>>>>>> )", re.MULTILINE)
DEBUG = re.compile(r"^\s*(import (i?pdb|pudb)\b|from (i?pdb|pudb) import|breakpoint\(\))", re.MULTILINE)


def files(root):
    out = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [name for name in out.split("\0") if name and not SKIPPED.search(name)]


def problems(root, name):
    path = Path(root, name)
    if not path.is_file():
        return
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # binary
    if b"\r" in data:
        yield f"{name}: CR line endings (LF only)"
    if text and (not text.endswith("\n") or text.endswith("\n\n")):
        yield f"{name}: the file must end with exactly one newline"
    for number, line in enumerate(text.splitlines(), 1):
        if line != line.rstrip():
            yield f"{name}:{number}: trailing whitespace"
    if CONFLICT.search(text):
        yield f"{name}: merge conflict marker"
    if name.endswith(".py") and DEBUG.search(text):
        yield f"{name}: debugger import or breakpoint()"
    if name.endswith(".xml"):
        try:
            etree.fromstring(data)
        except etree.XMLSyntaxError as error:
            yield f"{name}: XML not well-formed: {error}"


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    found = [problem for name in files(root) for problem in problems(root, name)]
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
