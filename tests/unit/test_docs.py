"""The README stays true: every setting and command is documented, and CI runs the test command it gives."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from skinbot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name, _ in Settings.table() if f"`{name}`" not in readme]
    assert missing == []


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("Set everything up and run the tests", 1)[1]
    command = re.search(r"```bash\n\s*(.+?)\n\s*```", section, re.S).group(1).strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()


def _section(readme: str, start: str, end: str) -> str:
    assert start in readme, f"README has no {start!r}"
    return readme.split(start, 1)[1].split(end, 1)[0]


def _first_cells(table: str) -> list[str]:
    """The first column of every body row of the Markdown tables in `table`."""
    cells = []
    for line in table.splitlines():
        parts = [p.strip() for p in line.strip().split("|")]
        if len(parts) < 3 or not line.strip().startswith("|") or set(parts[1]) <= set("-: "):
            continue
        cells.append(parts[1])
    return cells[1:] if cells and cells[0] == "command" else cells


def _mismatch(what: str, documented: set[str], actual: set[str]) -> str:
    return (
        f"README {what} is out of date.\n  undocumented: {sorted(actual - documented)}\n"
        f"  documented but not there: {sorted(documented - actual)}"
    )


def test_readme_lists_exactly_the_chat_commands() -> None:
    from bot.application import COMMANDS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = _section(readme, "In the chat:", "On the command line")
    documented = {m for cell in _first_cells(table) for m in re.findall(r"`/([a-z_]+)`", cell)}
    actual = {"start", *COMMANDS}
    assert documented == actual, _mismatch("chat-command table", documented, actual)


def _cli_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> dict[str, object]:
    """Every leaf command path such as "bench report", walking nested subparsers; aliases counted once."""
    leaves: dict[str, object] = {}
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        return {" ".join(prefix): parser}
    for group in groups:
        seen: set[int] = set()
        for name, sub in group.choices.items():
            if id(sub) not in seen:
                seen.add(id(sub))
                leaves.update(_cli_commands(sub, (*prefix, name)))
    return leaves


def _documented_cli(cell: str, tree: dict[str, object]) -> set[str]:
    """Command paths named in one table cell: `skinbot a b ARG --opt` -> "a b", stopping at a known leaf."""
    found = set()
    for span in re.findall(r"`skinbot ([^`]+)`", cell):
        words: list[str] = []
        for token in span.split():
            if not re.fullmatch(r"[a-z][a-z0-9-]*", token) or " ".join(words) in tree:
                break
            words.append(token)
        found.add(" ".join(words))
    return found


def test_readme_lists_exactly_the_cli_commands() -> None:
    from skinbot.cli import build_parser

    tree = _cli_commands(build_parser())
    assert "run" in tree and len(tree) > 3  # the walk itself works
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = _section(readme, "On the command line", "\n## ")
    documented = {path for cell in _first_cells(table) for path in _documented_cli(cell, tree)}
    assert documented == set(tree), _mismatch("command-line table", documented, set(tree))
