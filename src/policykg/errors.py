"""The errors policykg reports to its users: bad input, with where and what was expected."""

from __future__ import annotations

__all__ = ["BuildError", "InputError", "line_of"]


class InputError(ValueError):
    """Input that does not have the expected form: says where (file, line, column) and what.

    >>> str(InputError("expected a part heading", line=3, source="plan.txt"))
    'plan.txt:3: expected a part heading'
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [part for part in (self.source, self.line, self.column) if part is not None]
        prefix = ":".join(str(part) for part in where)
        return f"{prefix}: {self.message}" if prefix else self.message


class BuildError(RuntimeError):
    """A build that produced a graph which does not conform to the shapes."""


def line_of(text: str, offset: int) -> int:
    """The 1-based line number of a code-point offset into text.

    >>> line_of("a\\nb\\nc", 2)
    2
    """
    return text.count("\n", 0, offset) + 1
