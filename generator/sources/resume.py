"""`content/resume.yml` (or `.yaml`, `.json`): the hand-written part of the résumé, in the
JSON Resume schema (https://jsonresume.org/schema), validated against the schema file that
ships with portfolio. Every problem names the file, the field's path and its line.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..model.errors import BuildFailed, PortfolioError, SourceError
from ..util.yamllines import YamlProblem, load_with_lines

RESUME_FILES = ("content/resume.yml", "content/resume.yaml", "content/resume.json")
MAX_PROBLEMS = 20


@lru_cache(maxsize=1)
def resume_schema() -> dict[str, Any]:
    """The JSON Resume schema (v1.3.1), from the package (it is in the wheel)."""
    text = resources.files("generator").joinpath("schemas/resume.schema.json").read_text("utf-8")
    return dict(json.loads(text))


def find_resume(root: Path) -> str | None:
    """The résumé file of the site, if it has one (the first of RESUME_FILES)."""
    return next((rel for rel in RESUME_FILES if (root / rel).is_file()), None)


def load_resume(root: Path, rel: str) -> dict[str, Any]:
    """Read and validate the résumé file; raise `BuildFailed` listing every problem."""
    path = root / rel
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text (at byte {exc.start})", rel,
                          hint="save the file as UTF-8") from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}", rel) from None
    try:
        data, lines = load_with_lines(text)
    except YamlProblem as exc:
        if rel.endswith(".json"):
            data, lines = _json(text, rel), {}
        else:
            raise SourceError(exc.message, rel, exc.line, hint=exc.hint) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError("must be a mapping of résumé sections (basics:, work:, education:, "
                          "...)", rel, 1, hint="see https://jsonresume.org/schema")
    data = _plain(data)
    problems = validate_resume(data, rel, lines)
    if problems:
        raise BuildFailed(list[PortfolioError](problems))
    return data


def validate_resume(data: dict[str, Any], rel: str, lines: dict[tuple[str, ...], int]
                    ) -> list[SourceError]:
    """Every schema violation of `data`, in file order, as errors naming field and line."""
    from jsonschema import Draft7Validator

    validator = Draft7Validator(resume_schema(), format_checker=Draft7Validator.FORMAT_CHECKER)
    found = []
    for error in validator.iter_errors(data):
        where = tuple(str(p) for p in error.absolute_path)
        found.append(SourceError(f"{field_name(where) or 'the file'}: {_message(error)}", rel,
                                 _line(where, lines) or 1,
                                 hint="the fields are those of https://jsonresume.org/schema"))
    for where, value in _real_dates(data):
        found.append(SourceError(f"{field_name(where)}: {value!r} is not a date: write "
                                 "YYYY-MM-DD, YYYY-MM or YYYY", rel, _line(where, lines) or 1))
    found.sort(key=lambda e: (e.line or 0, e.message))
    return found[:MAX_PROBLEMS]


def field_name(path: tuple[str, ...]) -> str:
    """`('work', '0', 'startDate')` -> `work[0].startDate`."""
    out = ""
    for part in path:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


def _line(path: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> int | None:
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _message(error: Any) -> str:
    """jsonschema's message, said the way a person writing YAML would understand it."""
    value = error.instance
    kind = error.validator
    if kind == "pattern" and "[1-2][0-9]{3}" in str(error.validator_value):
        return f"{value!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY"
    if kind == "type":
        wanted = {"string": "text", "array": "a list", "object": "a mapping (key: value)",
                  "number": "a number", "integer": "a whole number", "boolean": "true or false"}
        expected = error.validator_value
        names = [wanted.get(str(t), str(t)) for t in (expected if isinstance(expected, list)
                                                      else [expected])]
        shown = f"{value!r}" if not isinstance(value, (dict, list)) else \
            ("a mapping" if isinstance(value, dict) else "a list")
        return f"must be {' or '.join(names)}, not {shown}"
    if kind == "format":
        return f"{value!r} is not a valid {error.validator_value}"
    return str(error.message)


def _plain(value: Any, key: str = "") -> Any:
    """YAML reads `2020-01-15` as a date and `startDate: 2019` as a number; JSON Resume wants
    the text (and so does JSON)."""
    if isinstance(value, dict):
        return {str(k): _plain(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if _is_date_key(key) and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _is_date_key(key: str) -> bool:
    return key in ("date", "releaseDate") or key.endswith("Date")


def _real_dates(data: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """Date fields the schema's pattern lets through but no calendar has (`2020-13`)."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if _is_date_key(key) and isinstance(value, str) and value[:4].isdigit():
                parts = value.split("-")
                try:
                    dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                            int(parts[2]) if len(parts) > 2 else 1)
                except ValueError:
                    found.append(((*path, key), value))
            else:
                found += _real_dates(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found += _real_dates(item, (*path, str(index)))
    return found


def _json(text: str, rel: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"invalid JSON: {exc.msg}", rel, exc.lineno) from None
