"""Reading CloudFormation and SAM templates: resources, intrinsic functions, the text of ``Fn::Sub`` and
``Fn::Join``, and where a state machine's definition is (``Definition``, ``DefinitionString``,
``DefinitionUri``, ``DefinitionS3Location``, with ``DefinitionSubstitutions``).

Both the ASL validator (compiler/asl/sources.py: where definitions come from) and the linter
(tamis/lint/cloudformation.py: where lint targets sit in a template) read templates through this module,
on the plain value that located_json / located_yaml give (YAML's short tags already in their long form),
so the two cannot drift apart on what a template means. Facts from the CloudFormation template reference
("Intrinsic function reference", AWS::StepFunctions::StateMachine) and the SAM specification
(AWS::Serverless::StateMachine).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

Path = tuple[str | int, ...]

STATE_MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
MACHINE_TYPES = ("STANDARD", "EXPRESS")


class Resource(NamedTuple):
    name: str  # the logical id
    type: str
    properties: dict[str, Any]

    @property
    def path(self) -> Path:
        """Where the resource's properties sit in the template."""
        return ("Resources", self.name, "Properties")


def resources(template: Any) -> Iterator[Resource]:
    """The template's resources that have a type and properties, in the order written."""
    found = template.get("Resources") if isinstance(template, dict) else None
    if not isinstance(found, dict):
        return
    for name, res in found.items():
        if not isinstance(res, dict):
            continue
        rtype, props = res.get("Type"), res.get("Properties")
        if isinstance(rtype, str) and isinstance(props, dict):
            yield Resource(name, rtype, props)


# -- intrinsic functions ------------------------------------------------------------------------------


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """(function, argument) when ``value`` is an intrinsic function call (``Ref``, ``Condition``,
    ``Fn::*``: an object with that single key), else None."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((key, arg),) = value.items()
    if key in ("Ref", "Condition") or (isinstance(key, str) and key.startswith("Fn::")):
        return key, arg
    return None


def intrinsic_text(value: dict[str, Any]) -> str:
    """A call written as the ``${...}`` placeholder Fn::Sub would use for it (``${Name}``,
    ``${Resource.Attribute}``), or ``${Fn::Name}`` for a value known only at deployment."""
    ((key, arg),) = value.items()
    if key == "Ref" and isinstance(arg, str):
        return "${" + arg + "}"
    if key == "Fn::GetAtt" and isinstance(arg, list):
        return "${" + ".".join(str(a) for a in arg) + "}"
    return "${" + key + "}"


def sub_string(value: Any) -> tuple[str, Path] | None:
    """The template string of an ``Fn::Sub`` (``"text"`` or ``["text", {variables}]``) with its path
    under ``value``, as written (``${!Literal}`` escapes included); None for anything else."""
    if not isinstance(value, dict) or len(value) != 1 or "Fn::Sub" not in value:
        return None
    arg = value["Fn::Sub"]
    if isinstance(arg, str):
        return arg, ("Fn::Sub",)
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        return arg[0], ("Fn::Sub", 0)
    return None


def join_args(value: Any) -> tuple[str, list[Any]] | None:
    """(delimiter, parts) of an ``Fn::Join`` with a literal delimiter and a literal list; else None."""
    if not isinstance(value, dict) or len(value) != 1 or "Fn::Join" not in value:
        return None
    arg = value["Fn::Join"]
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], list):
        return arg[0], arg[1]
    return None


def sub_references(value: Any, path: Path = ()) -> list[tuple[str, Path]]:
    """Every ``${Name}`` written in the strings of ``value``, with the path of its string
    (``${!Literal}`` is Fn::Sub's escape of a literal ``${``, not a reference).

    These are decoded string values, not JSON text: grammar/placeholders scans text."""
    out: list[tuple[str, Path]] = []
    if isinstance(value, str):
        i = value.find("${")
        while i != -1:
            end = value.find("}", i)
            if end == -1:
                break
            name = value[i + 2 : end]
            if name and not name.startswith("!"):
                out.append((name, path))
            i = value.find("${", end)
    elif isinstance(value, dict):
        for k, v in value.items():
            out.extend(sub_references(v, (*path, k)))
    elif isinstance(value, list):
        for j, v in enumerate(value):
            out.extend(sub_references(v, (*path, j)))
    return out


# -- state machines -----------------------------------------------------------------------------------


def definition_string_text(value: Any) -> str | None:
    """The definition text a ``DefinitionString`` renders to, as far as it is known statically: a plain
    string, an ``Fn::Sub`` (its ``${!Literal}`` escapes unescaped) or an ``Fn::Join`` (a part that is not
    a string stands as ``${Token}``). None when other intrinsic functions build it."""
    if isinstance(value, str):
        return value
    sub = sub_string(value)
    if sub is not None:
        return sub[0].replace("${!", "${")
    join = join_args(value)
    if join is not None:
        delimiter, parts = join
        return delimiter.join(p if isinstance(p, str) else "${Token}" for p in parts)
    return None


def substitution_names(props: dict[str, Any], template: dict[str, Any]) -> set[str]:
    """The ``${Name}`` a state machine's definition may use: its ``DefinitionSubstitutions`` and, when
    the ``DefinitionString`` is an ``Fn::Sub``, the template's parameters and resources and the Sub's own
    variables."""
    names = (
        set(props["DefinitionSubstitutions"])
        if isinstance(props.get("DefinitionSubstitutions"), dict)
        else set()
    )
    definition_string = props.get("DefinitionString")
    if isinstance(definition_string, dict) and "Fn::Sub" in definition_string:
        for section in ("Parameters", "Resources"):
            if isinstance(template.get(section), dict):
                names.update(template[section])
        arg = definition_string["Fn::Sub"]
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            names.update(arg[1])
    return names


def resolves(name: str, known: set[str], sub: bool) -> bool:
    """Whether CloudFormation replaces ``${name}``: a known name, or under ``Fn::Sub`` also a pseudo
    parameter (``AWS::Region``) or an attribute of a known resource (``Queue.Arn``)."""
    return name in known or (sub and (name.startswith("AWS::") or name.split(".", 1)[0] in known))


def machine_type(props: dict[str, Any]) -> str | None:
    """STANDARD or EXPRESS when the resource says (CloudFormation's StateMachineType, SAM's Type)."""
    value = props.get("StateMachineType", props.get("Type"))
    return value if value in MACHINE_TYPES else None


def definition_file(props: dict[str, Any]) -> str | None:
    """SAM's ``DefinitionUri`` when it names a local file (relative to the template's folder)."""
    uri = props.get("DefinitionUri")
    return uri if isinstance(uri, str) else None


def definition_in_s3(props: dict[str, Any]) -> str | None:
    """The property that places the definition in S3 (an object ``DefinitionUri``, or
    ``DefinitionS3Location``), or None."""
    uri = props.get("DefinitionUri")
    if uri is not None:
        return None if isinstance(uri, str) else "DefinitionUri"
    return "DefinitionS3Location" if "DefinitionS3Location" in props else None
