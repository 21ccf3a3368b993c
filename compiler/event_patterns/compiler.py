"""Event patterns -> checked rule models: the one compiler every service's dialect configures.

The compiler walks the pattern's plain JSON value, checks every rule of the language, and produces
sub-rules (AND of field conditions; `$or` branches expanded). Every rejection is a ``PatternError``
located at the offending value when the pattern came as text. What differs per service (operators,
limits, nesting) is read from the dialect (compiler/event_patterns/dialects.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tamis.compiler.event_patterns.operators import NUMERIC_OPS, RESERVED_OPERATORS, VALUE_OPERATORS
from tamis.compiler.event_patterns.wildcard_complexity import exceeds as wildcard_complexity_exceeds
from tamis.compiler.json_types import kind_of
from tamis.compiler.suggestions import did_you_mean
from tamis.errors import PatternError
from tamis.runtime.events import conditions as C
from tamis.runtime.events.conditions import FieldCondition, SubRule, Test
from tamis.runtime.events.ipaddr import cidr_bounds, ip_hex
from tamis.runtime.events.numbers import comparable, literal_key

if TYPE_CHECKING:
    from tamis.compiler.event_patterns.dialects import Dialect

JSONPath = tuple[str | int, ...]
Locator = Callable[[JSONPath, bool], tuple[int | None, int | None]]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _magnitude(value: Any) -> float:
    try:
        return abs(float(value))
    except OverflowError:  # an int beyond the double range (10**400)
        return math.inf


class PatternCompiler:
    def __init__(self, dialect: Dialect, locate: Locator, source: str | None) -> None:
        self.dialect = dialect
        self.locate = locate
        self.source = source

    # -- errors ---------------------------------------------------------------------------------------
    def fail(self, where: JSONPath, message: str, rule: str, *, key: bool = False) -> PatternError:
        line, column = self.locate(where, key)
        pointer = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in where)
        return PatternError(message, line=line, column=column, source=self.source, rule=rule, pointer=pointer)

    def _record(self, exc: PatternError) -> None:
        """Keep a mistake and go on with the next field or value (the same mistake met again in another
        `$or` branch counts once)."""
        key = (exc.pointer, exc.rule, exc.message)
        if key not in self._seen:
            self._seen.add(key)
            self._errors.append(exc)

    # -- structure ------------------------------------------------------------------------------------
    def compile(self, pattern: Any) -> list[SubRule]:
        """The pattern's sub-rules. Every independent mistake is found in one run: the first is raised,
        with the others in its ``more`` (a structure that cannot be read stops the search below it)."""
        self._errors: list[PatternError] = []
        self._seen: set[tuple[Any, ...]] = set()
        # Wildcards met while finishing the sub-rules, as (text, location), and per matching machine.
        self._wildcards: list[tuple[str, JSONPath]] = []
        self._machines: dict[tuple[Any, ...], list[tuple[str, JSONPath]]] = {}
        try:
            subrules = self._compile(pattern)
        except PatternError as exc:
            self._record(exc)
        if self._errors:
            first = self._errors[0]
            first.more = tuple(self._errors[1:])
            raise first
        return subrules

    def _compile(self, pattern: Any) -> list[SubRule]:
        if not isinstance(pattern, dict):
            raise self.fail((), f"a pattern must be a JSON object, got {kind_of(pattern)}", "pattern-object")
        if not pattern:
            if self.dialect.allow_empty:
                return [()]
            raise self.fail((), "a pattern must not be an empty object", "empty-object")
        branches = self._object(pattern, (), "")
        if self._errors:  # the values of the fields that could be read may hold mistakes of their own
            for branch in branches:
                self._finish(branch)
            return []
        if self.dialect.max_keys is not None:
            keys = {path for branch in branches for path in branch}
            if len(keys) > self.dialect.max_keys:
                raise self.fail(
                    (),
                    f"a filter policy can have at most {self.dialect.max_keys} keys, this has {len(keys)}",
                    "too-many-keys",
                )
        limit = self.dialect.max_combinations
        if limit is not None:
            count = self.dialect.combinations(branches)
            if count > limit:
                raise self.fail(
                    (),
                    f"the pattern is too complex: {count} combinations, at most {limit} allowed",
                    "too-complex",
                )
        subrules = [self._finish(branch) for branch in branches]
        if self._errors:
            return []
        if self.dialect.max_wildcard_complexity is not None:
            self._check_wildcard_complexity(self.dialect.max_wildcard_complexity)
        return subrules

    def _check_wildcard_complexity(self, limit: int) -> None:
        """Reject wildcards the service finds too complex (the machines are gathered by ``_finish``)."""
        for (_, path), found in self._machines.items():
            if wildcard_complexity_exceeds((text for text, _ in found), limit):
                raise self.fail(
                    found[-1][1],
                    f'the wildcard patterns of "{path}" are too complex: one value can match {limit + 1} or '
                    f"more of their prefixes at once, EventBridge accepts at most {limit}",
                    "wildcard-complexity",
                )

    def _object(
        self, obj: dict[str, Any], where: JSONPath, prefix: str
    ) -> list[dict[str, tuple[JSONPath, list[Any]]]]:
        """Sub-rule skeletons of one object: path -> (location, OR-list of raw values)."""
        branches: list[dict[str, tuple[JSONPath, list[Any]]]] = [{}]
        for key, value in obj.items():
            try:
                branches = self._member(branches, key, value, where, prefix)
            except PatternError as exc:
                if exc.rule == "too-complex":
                    raise  # a runaway `$or` expansion stops the whole search
                self._record(exc)
        return branches

    def _member(
        self,
        branches: list[dict[str, tuple[JSONPath, list[Any]]]],
        key: str,
        value: Any,
        where: JSONPath,
        prefix: str,
    ) -> list[dict[str, tuple[JSONPath, list[Any]]]]:
        """The sub-rule skeletons once one member of an object is added to them."""
        here = (*where, key)
        if key == "$or" and isinstance(value, list):
            if not self.dialect.allow_or:
                raise self.fail(here, '"$or" is not supported here', "or-unsupported", key=True)
            alternatives = self._or(value, here, prefix)
            branches = [{**b, **alt} for b in branches for alt in alternatives]
            self._check_expansion(branches, here)
            return branches
        path = prefix + key
        if isinstance(value, dict):
            if not value:
                raise self.fail(here, f'"{key}" must not be an empty object', "empty-object")
            if not self.dialect.allow_nesting:
                raise self.fail(
                    here,
                    f'"{key}": nested objects are not supported with FilterPolicyScope '
                    f"{getattr(self.dialect, 'scope', '')}; use MessageBody scope",
                    "nesting-unsupported",
                )
            inner = self._object(value, here, path + ".")
            branches = [{**b, **alt} for b in branches for alt in inner]
            self._check_expansion(branches, here)
        elif isinstance(value, list):
            if not value:
                raise self.fail(here, f'"{key}" must not be an empty array', "empty-array")
            for b in branches:
                b[path] = (here, value)
        else:
            raise self.fail(
                here,
                f'"{key}" must be an object or an array, got {kind_of(value)}',
                "field-value-type",
            )
        return branches

    def _check_expansion(self, branches: list[Any], where: JSONPath) -> None:
        # Stop runaway `$or` cross products early; the exact limit is checked once expansion is done.
        limit = self.dialect.max_combinations
        if limit is not None and len(branches) > limit:
            raise self.fail(
                where, f"the pattern is too complex: more than {limit} combinations", "too-complex", key=True
            )

    def _or(
        self, items: list[Any], where: JSONPath, prefix: str
    ) -> list[dict[str, tuple[JSONPath, list[Any]]]]:
        if len(items) < 2:
            raise self.fail(where, '"$or" needs at least two objects', "or-arity")
        out: list[dict[str, tuple[JSONPath, list[Any]]]] = []
        for i, item in enumerate(items):
            here = (*where, i)
            if not isinstance(item, dict):
                raise self.fail(here, f'"$or" items must be objects, got {kind_of(item)}', "or-item")
            if not item:
                raise self.fail(here, '"$or" items must not be empty objects', "empty-object")
            for key in item:
                if key in VALUE_OPERATORS or key in RESERVED_OPERATORS:
                    raise self.fail(
                        (*here, key),
                        f'"{key}" is an operator, not a field name, inside "$or"',
                        "or-reserved-name",
                        key=True,
                    )
            out.extend(self._object(item, here, prefix))
        return out

    # -- values ---------------------------------------------------------------------------------------
    def _finish(self, branch: dict[str, tuple[JSONPath, list[Any]]]) -> SubRule:
        conditions = []
        # The engine keeps one matching machine per field and per combination of the values before it (fields
        # in lexical order): sub-rules of an `$or` that agree up to a field share that field's wildcards.
        fields = sorted(branch.items())
        for k, (path, (where, values)) in enumerate(fields):
            tests: set[Test] = set()
            first_wildcard = len(self._wildcards)
            for i, value in enumerate(values):
                try:
                    tests.update(self._value(value, (*where, i)))
                except PatternError as exc:
                    self._record(exc)  # the field's other values are independent of this one
            if len(self._wildcards) > first_wildcard:
                before = tuple((p, repr(v)) for p, (_, v) in fields[:k])
                machine = self._machines.setdefault((before, path), [])
                machine.extend(w for w in self._wildcards[first_wildcard:] if w not in machine)
            kinds = {t[0] for t in tests}
            numeric = bool(kinds & {C.NUM, C.RANGE}) or any(
                t[0] == C.ANYTHING_BUT and t[1] == C.NUM for t in tests
            )
            # Address tests keep working beside numbers: an IP-looking value is tried as its address and,
            # for every other test, as written (event-ruler pull request 131, see docs/event_patterns.md).
            conditions.append(FieldCondition(path, frozenset(tests), numeric, C.IP in kinds))
        return tuple(conditions)

    def _value(self, value: Any, where: JSONPath) -> list[Test]:
        if isinstance(value, str):
            return [self._exact_string(value)]
        if value is None:
            return [(C.NULL,)]
        if value is True:
            return [(C.TRUE,)]
        if value is False:
            return [(C.FALSE,)]
        if _is_number(value):
            return [self._number_test(value, where)]
        if isinstance(value, list):
            raise self.fail(
                where,
                "a match value must be a string, number, true, false, null or an operator "
                "object, not an array",
                "match-value-type",
            )
        if isinstance(value, dict):
            return [self._operator(value, where)]
        raise self.fail(where, f"unsupported value {kind_of(value)}", "match-value-type")

    def _exact_string(self, s: str) -> Test:
        # IP-looking strings compare as addresses, so "10.0.0.1" also matches "010.0.0.1".
        hexed = ip_hex(s)
        if hexed is not None:
            return (C.IP, hexed, hexed)
        return (C.STR, s)

    def _check_number_range(self, value: Any, where: JSONPath) -> None:
        limit = self.dialect.number_limit
        if limit is not None and _magnitude(value) > limit:
            raise self.fail(where, f"numbers must be between -{limit:.0f} and {limit:.0f}", "number-range")

    def _number_test(self, value: Any, where: JSONPath) -> Test:
        self._check_number_range(value, where)
        f = comparable(value)
        return (C.NUM, f) if f is not None else (C.NUMLIT, literal_key(value))

    def _comparable_or_fail(self, value: Any, where: JSONPath) -> float:
        self._check_number_range(value, where)
        f = comparable(value)
        if f is None:
            raise self.fail(
                where,
                f"cannot compare number {literal_key(value)}: it is not exactly representable as a double",
                "number-precision",
            )
        return f

    def _string_arg(self, op: str, arg: Any, where: JSONPath, rule: str) -> str:
        if not isinstance(arg, str):
            raise self.fail(where, f'"{op}" expects a string, got {kind_of(arg)}', rule)
        return arg

    def _operator(self, obj: dict[str, Any], where: JSONPath) -> Test:
        if not obj:
            raise self.fail(
                where, "an operator object must name one operator, it is empty", "operator-missing"
            )
        if len(obj) > 1:
            names = ", ".join(f'"{k}"' for k in obj)
            raise self.fail(
                where, f"an operator object takes exactly one operator, got {names}", "operator-count"
            )
        ((op, arg),) = obj.items()
        here = (*where, op)
        if op not in self.dialect.operators:
            if op in VALUE_OPERATORS:
                raise self.fail(
                    here, f'"{op}" is not supported by {self.dialect.name}', "operator-unsupported", key=True
                )
            hint = did_you_mean(op, self.dialect.operators)
            raise self.fail(here, f'unknown operator "{op}"{hint}', "operator-unknown", key=True)
        if op == "exactly":
            return (C.STR, self._string_arg(op, arg, here, "exactly-type"))
        if op in ("prefix", "suffix"):
            return self._prefix_suffix(op, arg, here)
        if op == "equals-ignore-case":
            return (C.EQ_IC, self._string_arg(op, arg, here, "equals-ignore-case-type"))
        if op == "wildcard":
            return (C.WILDCARD, self._wildcard(arg, here))
        if op == "exists":
            if not isinstance(arg, bool):
                raise self.fail(here, f'"exists" expects true or false, got {kind_of(arg)}', "exists-type")
            return (C.EXISTS, arg)
        if op == "cidr":
            text = self._string_arg(op, arg, here, "cidr-type")
            try:
                low, high = cidr_bounds(text)
            except ValueError as exc:
                raise self.fail(here, f'"cidr": {exc}', "cidr-format") from None
            return (C.IP, low, high)
        if op == "numeric":
            return self._numeric(arg, here)
        if op == "anything-but":
            return self._anything_but(arg, here)
        raise AssertionError(op)

    def _prefix_suffix(self, op: str, arg: Any, where: JSONPath) -> Test:
        if isinstance(arg, dict):
            if len(arg) != 1:
                raise self.fail(
                    where,
                    f'"{op}" takes a string or {{"equals-ignore-case": "..."}}',
                    "prefix-type" if op == "prefix" else "suffix-type",
                )
            ((inner, text),) = arg.items()
            if inner != "equals-ignore-case":
                raise self.fail(
                    (*where, inner),
                    f'"{op}" supports only "equals-ignore-case" inside, not "{inner}"',
                    "prefix-inner" if op == "prefix" else "suffix-inner",
                    key=True,
                )
            text = self._string_arg("equals-ignore-case", text, (*where, inner), "equals-ignore-case-type")
            return (C.PREFIX_IC if op == "prefix" else C.SUFFIX_IC, text)
        rule = "prefix-type" if op == "prefix" else "suffix-type"
        return (C.PREFIX if op == "prefix" else C.SUFFIX, self._string_arg(op, arg, where, rule))

    def _wildcard(self, arg: Any, where: JSONPath) -> str:
        text = self._string_arg("wildcard", arg, where, "wildcard-type")
        i, previous_star = 0, False
        while i < len(text):
            ch = text[i]
            if ch == "\\":
                if i + 1 >= len(text) or text[i + 1] not in "*\\":
                    raise self.fail(
                        where,
                        f'"wildcard": invalid escape at position {i + 1}: only \\* and \\\\ are allowed',
                        "wildcard-escape",
                    )
                i += 2
                previous_star = False
                continue
            if ch == "*":
                if previous_star:
                    raise self.fail(
                        where,
                        f'"wildcard": consecutive wildcard characters at position {i}',
                        "wildcard-consecutive",
                    )
                previous_star = True
            else:
                previous_star = False
            i += 1
        self._wildcards.append((text, where))
        return text

    def _numeric(self, arg: Any, where: JSONPath) -> Test:
        if not isinstance(arg, list):
            raise self.fail(
                where,
                f'"numeric" expects an array such as [">", 0, "<=", 5], got {kind_of(arg)}',
                "numeric-type",
            )
        if not arg:
            raise self.fail(where, '"numeric" must not be empty', "numeric-empty")
        if len(arg) > 4:
            raise self.fail(
                (*where, 4),
                '"numeric": too many elements; at most one lower and one upper bound',
                "numeric-arity",
            )
        low, low_inc, high, high_inc = -math.inf, False, math.inf, False
        seen_lower = seen_upper = False
        for i in range(0, len(arg), 2):
            op = arg[i]
            op_where = (*where, i)
            if not isinstance(op, str):
                raise self.fail(
                    op_where,
                    f'"numeric": expected an operator ({", ".join(NUMERIC_OPS)}), got {kind_of(op)}',
                    "numeric-operator",
                )
            if op not in NUMERIC_OPS:
                raise self.fail(
                    op_where,
                    f'"numeric": unknown operator "{op}"; use one of {", ".join(NUMERIC_OPS)}',
                    "numeric-operator",
                )
            if i + 1 >= len(arg) or not _is_number(arg[i + 1]):
                got = kind_of(arg[i + 1]) if i + 1 < len(arg) else "nothing"
                raise self.fail(
                    (*where, i + 1) if i + 1 < len(arg) else op_where,
                    f'"numeric": the value of "{op}" must be a number, got {got}',
                    "numeric-value",
                )
            number = self._comparable_or_fail(arg[i + 1], (*where, i + 1))
            if op == "=":
                if len(arg) > 2:
                    raise self.fail(op_where, '"numeric": "=" stands alone', "numeric-arity")
                return (C.RANGE, number, True, number, True)
            if op in (">", ">="):
                if seen_lower or seen_upper:
                    raise self.fail(
                        op_where, f'"numeric": "{op}" must be the first (lower) bound', "numeric-order"
                    )
                seen_lower = True
                low, low_inc = number, op == ">="
            else:
                if seen_upper:
                    raise self.fail(op_where, '"numeric": only one upper bound is allowed', "numeric-order")
                if i != 0 and not seen_lower:
                    raise self.fail(
                        op_where, '"numeric": a range is a lower bound then an upper bound', "numeric-order"
                    )
                seen_upper = True
                if i == 0 and len(arg) > 2:
                    raise self.fail(
                        op_where, f'"numeric": "{op}" stands alone or follows a lower bound', "numeric-arity"
                    )
                high, high_inc = number, op == "<="
        if seen_lower and seen_upper and not low < high:
            raise self.fail(
                where, '"numeric": the lower bound must be less than the upper bound', "numeric-bounds"
            )
        return (C.RANGE, low, low_inc, high, high_inc)

    def _anything_but(self, arg: Any, where: JSONPath) -> Test:
        if isinstance(arg, str):
            return (C.ANYTHING_BUT, C.STR, frozenset([arg]))
        if _is_number(arg):
            return (C.ANYTHING_BUT, C.NUM, frozenset([self._comparable_or_fail(arg, where)]))
        if isinstance(arg, list):
            if not arg:
                raise self.fail(where, '"anything-but" must not be an empty list', "anything-but-empty")
            if all(isinstance(v, str) for v in arg):
                return (C.ANYTHING_BUT, C.STR, frozenset(arg))
            if all(_is_number(v) for v in arg):
                return (
                    C.ANYTHING_BUT,
                    C.NUM,
                    frozenset(self._comparable_or_fail(v, (*where, i)) for i, v in enumerate(arg)),
                )
            if any(isinstance(v, str) for v in arg) and any(_is_number(v) for v in arg):
                raise self.fail(
                    where,
                    '"anything-but" list must be all strings or all numbers, not mixed',
                    "anything-but-mixed",
                )
            bad = next(i for i, v in enumerate(arg) if not (isinstance(v, str) or _is_number(v)))
            raise self.fail(
                (*where, bad),
                f'"anything-but" list values must be strings or numbers, got {kind_of(arg[bad])}',
                "anything-but-type",
            )
        if isinstance(arg, dict):
            if not arg:
                raise self.fail(
                    where,
                    '"anything-but" object must name one operator, it is empty',
                    "anything-but-operator",
                )
            if len(arg) > 1:
                raise self.fail(where, '"anything-but" object takes exactly one operator', "operator-count")
            ((inner, value),) = arg.items()
            here = (*where, inner)
            kinds = {
                "prefix": C.PREFIX,
                "suffix": C.SUFFIX,
                "equals-ignore-case": C.EQ_IC,
                "wildcard": C.WILDCARD,
            }
            if inner in kinds and inner not in self.dialect.anything_but_operators:
                raise self.fail(
                    here,
                    f'"anything-but" / "{inner}" is not supported by {self.dialect.name}',
                    "operator-unsupported",
                    key=True,
                )
            if inner not in kinds:
                raise self.fail(
                    here,
                    f'"anything-but" supports prefix, suffix, equals-ignore-case and wildcard '
                    f'inside, not "{inner}"',
                    "anything-but-operator",
                    key=True,
                )
            values = value if isinstance(value, list) else [value]
            if isinstance(value, list) and not value:
                raise self.fail(
                    here, f'"anything-but" / "{inner}" must not be an empty list', "anything-but-empty"
                )
            out = []
            for i, v in enumerate(values):
                vw = (*here, i) if isinstance(value, list) else here
                if not isinstance(v, str):
                    raise self.fail(
                        vw,
                        f'"anything-but" / "{inner}" expects strings, got {kind_of(v)}',
                        "anything-but-type",
                    )
                if inner in ("prefix", "suffix") and v == "":
                    raise self.fail(vw, f'"anything-but" / "{inner}" must not be empty', "anything-but-empty")
                out.append(self._wildcard(v, vw) if inner == "wildcard" else v)
            return (C.ANYTHING_BUT, kinds[inner], frozenset(out))
        raise self.fail(
            where,
            f'"anything-but" expects a string, a number, a list or an operator object, got {kind_of(arg)}',
            "anything-but-type",
        )


def compile_rule(
    pattern: Any, dialect: Dialect, locate: Locator | None = None, source: str | None = None
) -> list[SubRule]:
    """Check one pattern (already parsed to plain values) and return its sub-rules."""
    return PatternCompiler(dialect, locate or (lambda _p, _k: (None, None)), source).compile(pattern)
