"""The one shape every charter problem takes, for editors and programs alike."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """A problem in a charter file: where it is and what to do about it."""

    file: str
    line: int
    column: int
    keypath: tuple
    message: str

    @property
    def dotted(self) -> str:
        """``quality[2].standard`` style key path."""
        out = ""
        for part in self.keypath:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += ("." if out else "") + str(part)
        return out

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.dotted}: {self.message}" if self.keypath else f"{where}: {self.message}"

    def as_dict(self) -> dict:
        """The JSON shape of a problem."""
        return {"file": self.file, "line": self.line, "column": self.column,
                "path": self.dotted, "message": self.message}


class CharterError(Exception):
    """Raised once, with every problem found, when a charter does not validate."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message))
        super().__init__(f"{len(self.problems)} problem(s) in the charter")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
