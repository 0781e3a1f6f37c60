"""A job profile's EMR step: fixed args with `{name}` placeholders filled from job parameters.

Rules, checked when a template is made and when it is rendered:
- A placeholder is `{name}` (name as in the JobSubmitted schema); `{{` and `}}` are literal
  braces; any other brace is an InvalidTemplate.
- A placeholder fills part of exactly one arg element, never more: values are not split, quoted
  or passed through a shell, so a value with spaces or quotes stays one element.
- Every placeholder must get a value (else MissingParameter) and every parameter must be used
  (else UnknownParameter).
- Values are plain str/int/float/bool (bool renders as true/false, floats must be finite); str
  values are at most 4096 characters of EMR's XmlString alphabet.
- A value may not turn an element into an option: an element the template did not begin with
  "-" may not render to one beginning with "-", unless it is a number (e.g. -1).
- `program_placeholders` names the placeholders that would choose the code a step runs: in the
  program (a command's first arg), spark-submit's application, and the values of its options
  that add or pick code (--class, --jars, --py-files, --conf, ...). New profiles may have none
  (checked by the use cases, not on load, so stored profiles still read).
"""

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final, Literal

from job_service.domain.errors import (
    InvalidParameter,
    InvalidTemplate,
    MissingParameter,
    UnknownParameter,
)
from job_service.domain.values import Parameters, ParameterValue

StepKind = Literal["spark", "command"]
"""spark: Args are `spark-submit` followed by the template's args; command: the args alone."""

MAX_VALUE_CHARS: Final = 4096
MAX_ARG_CHARS: Final = 10280
"""EMR's XmlString limit for one element of HadoopJarStep.Args."""
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_.-]{0,127})\}|[{}]")
_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
SPARK_FLAGS: Final = frozenset({"--verbose", "-v", "--supervise", "--help", "-h", "--version"})
"""spark-submit's options that take no value."""
SPARK_CODE_OPTIONS: Final = frozenset(
    {
        "--class",
        "--jars",
        "--py-files",
        "--packages",
        "--exclude-packages",
        "--repositories",
        "--files",
        "--archives",
        "--driver-class-path",
        "--driver-java-options",
        "--driver-library-path",
        "--conf",
        "-c",
        "--properties-file",
    }
)
"""spark-submit's options whose value adds or picks the code that runs."""


class Placeholder(str):
    """The name of a parameter, as a part of a parsed arg element."""


def is_xml_text(text: str) -> bool:
    """Whether `text` fits EMR's XmlString pattern: no control characters but tab, CR, LF."""
    return all(
        c in "\t\r\n" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000"
        for c in text
    )


def _parse(arg: str) -> tuple[str, ...]:
    """An arg element as literal parts (str) and Placeholder parts."""
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(arg):
        parts.append(arg[position : match.start()])
        token, name = match.group(0), match.group(1)
        if name is not None:
            parts.append(Placeholder(name))
        elif token in ("{{", "}}"):
            parts.append(token[0])
        else:
            raise InvalidTemplate(f"stray {token!r} in {arg!r}; write {token * 2} for a brace")
        position = match.end()
    parts.append(arg[position:])
    return tuple(part for part in parts if part or isinstance(part, Placeholder))


def _text(name: str, value: ParameterValue) -> str:
    """A parameter's value as the text it renders to."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidParameter(name, "must be a finite number")
        return repr(value)
    if not isinstance(value, str):
        raise InvalidParameter(name, "must be a str, int, float or bool")
    if len(value) > MAX_VALUE_CHARS or not is_xml_text(value):
        raise InvalidParameter(name, f"must be at most {MAX_VALUE_CHARS} printable characters")
    return value


@dataclass(frozen=True)
class StepTemplate:
    """The args of a command-runner.jar step, with placeholders; see the module's rules."""

    kind: StepKind
    args: tuple[str, ...]
    _parsed: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in ("spark", "command"):
            raise InvalidTemplate(f"kind must be 'spark' or 'command', not {self.kind!r}")
        if not self.args or not all(isinstance(arg, str) and is_xml_text(arg) for arg in self.args):
            raise InvalidTemplate("args must be a non-empty list of printable strings")
        object.__setattr__(self, "args", tuple(self.args))
        object.__setattr__(self, "_parsed", tuple(_parse(arg) for arg in self.args))

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(self._placeholders())

    def render(self, parameters: Parameters) -> list[str]:
        """The step's Args with every placeholder filled, checked by the module's rules."""
        names = self.placeholders
        if missing := names - parameters.keys():
            raise MissingParameter(missing)
        if unknown := parameters.keys() - names:
            raise UnknownParameter(unknown)
        texts = {name: _text(name, value) for name, value in parameters.items()}
        args = [self._render_arg(parts, texts) for parts in self._parsed]
        return ["spark-submit", *args] if self.kind == "spark" else args

    def program_placeholders(self) -> frozenset[str]:
        """Placeholders that would let a value choose the code the step runs (see the module)."""
        parsed = self._parsed
        if self.kind == "command":
            program = "".join(parsed[0]) if _literal(parsed[0]) else ""
            found = set(_names(parsed[0]))
            if program == "spark-submit":
                found |= _spark_code(parsed[1:])
            return frozenset(found)
        return frozenset(_spark_code(parsed))

    def _placeholders(self) -> Iterator[Placeholder]:
        for parts in self._parsed:
            yield from (part for part in parts if isinstance(part, Placeholder))

    @staticmethod
    def _render_arg(parts: tuple[str, ...], texts: dict[str, str]) -> str:
        arg = "".join(texts[part] if isinstance(part, Placeholder) else part for part in parts)
        names = [part for part in parts if isinstance(part, Placeholder)]
        if not names:
            return arg
        starts_as_option = not isinstance(parts[0], Placeholder) and parts[0].startswith("-")
        if arg.startswith("-") and not starts_as_option and not _NUMBER.fullmatch(arg):
            raise InvalidParameter(names[0], f"would make {arg[:40]!r} read as an option")
        if len(arg) > MAX_ARG_CHARS:
            raise InvalidParameter(names[0], f"makes an argument longer than {MAX_ARG_CHARS}")
        return arg


def _names(parts: tuple[str, ...]) -> list[str]:
    return [part for part in parts if isinstance(part, Placeholder)]


def _literal(parts: tuple[str, ...]) -> bool:
    return not _names(parts)


def _spark_code(parsed: tuple[tuple[str, ...], ...]) -> set[str]:
    """The placeholders of spark-submit's args (after "spark-submit") that pick its code."""
    found: set[str] = set()
    index = 0
    while index < len(parsed):
        parts = parsed[index]
        head = parts[0] if parts and not isinstance(parts[0], Placeholder) else ""
        if not head.startswith("-"):
            found.update(_names(parts))  # the application, and what follows is its own args
            break
        option, inline, _ = head.partition("=")
        if inline or option in SPARK_FLAGS:
            if option in SPARK_CODE_OPTIONS:
                found.update(_names(parts))
            index += 1
            continue
        if option in SPARK_CODE_OPTIONS or _names(parts):
            found.update(_names(parts))
            if index + 1 < len(parsed) and option in SPARK_CODE_OPTIONS:
                found.update(_names(parsed[index + 1]))
        index += 2
    return found
