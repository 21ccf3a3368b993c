"""Parallel and Map states: branches and item processors (each checked as a sub-machine with its own
scope), inline and distributed Maps, ItemReader, ItemBatcher, ResultWriter and the Map Label."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tamis.compiler.asl.expressions import jsonata_value, path_field, template
from tamis.compiler.asl.fields import int_field, optional_str
from tamis.compiler.asl.findings import Path
from tamis.compiler.asl.resources import check_resource
from tamis.compiler.asl.scope import StateCtx, scope_word
from tamis.compiler.asl.values import delimited, is_placeholder
from tamis.compiler.json_types import json_type

if TYPE_CHECKING:
    from tamis.compiler.asl.validator import Validator

MAX_LABEL = 40  # AWS-verified Map Label limit
_LABEL_FORBIDDEN = frozenset(' ?*<>{}[]:;,\\|^~$#%&`"')


def check_parallel(v: Validator, state: dict[str, Any], path: Path, ctx: StateCtx) -> None:
    if "Branches" not in state:
        v.err("These fields are required: [Branches]", path)
        return
    branches = state["Branches"]
    bpath = (path, "Branches")
    if not isinstance(branches, list) or not branches:
        v.err("Value cannot be empty" if isinstance(branches, list) else "Branches must be an array", bpath)
        return
    if ctx.jsonata and "Arguments" in state:
        jsonata_value(ctx, state["Arguments"], (path, "Arguments"))
    for i, b in enumerate(branches):
        _sub_machine(v, b, (bpath, i), "branch", ctx, allowed=("StartAt", "States", "Comment"))


def _sub_machine(
    v: Validator,
    m: Any,
    path: Path,
    kind: str,
    ctx: StateCtx,
    *,
    allowed: tuple[str, ...],
    distributed: bool = False,
) -> None:
    if not isinstance(m, dict):
        v.err(f"a {scope_word(kind)} must be an object, not {json_type(m)}", path)
        return
    for key in m:
        if key not in allowed:
            hint = v.misspelling(m, path, key, allowed)
            v.err(f"field {key!r} is not supported in a {scope_word(kind)}{hint}", (path, key), key=True)
    optional_str(v, m, "Comment", path)
    # the states inside inherit the enclosing state's query language (each may set its own)
    v.machine(m, path, kind, ctx.scope, "JSONata" if ctx.jsonata else "JSONPath", distributed)


def check_map(v: Validator, state: dict[str, Any], path: Path, ctx: StateCtx) -> None:
    has_proc, has_iter = "ItemProcessor" in state, "Iterator" in state
    if has_proc and has_iter:
        v.err("a Map state may have only one of ItemProcessor and Iterator", (path, "Iterator"), key=True)
    elif not has_proc and not has_iter:
        v.err("These fields are required: [ItemProcessor]", path)
    if "Parameters" in state and "ItemSelector" in state:
        v.err(
            "a Map state may have only one of Parameters and ItemSelector",
            (path, "Parameters"),
            key=True,
        )
    distributed = False
    field = "ItemProcessor" if has_proc else "Iterator"
    proc = state.get(field)
    if isinstance(proc, dict) and "ProcessorConfig" in proc:
        pc = proc["ProcessorConfig"]
        pcp = ((path, field), "ProcessorConfig")
        if not isinstance(pc, dict):
            v.err("ProcessorConfig must be an object", pcp)
        else:
            for key in pc:
                if key not in ("Mode", "ExecutionType"):
                    v.err(f"field {key!r} is not supported in ProcessorConfig", (pcp, key), key=True)
            mode = pc.get("Mode", "INLINE")
            if mode not in ("INLINE", "DISTRIBUTED"):
                v.err("Mode must be one of [INLINE, DISTRIBUTED]", (pcp, "Mode"))
            distributed = mode == "DISTRIBUTED"
            if "ExecutionType" in pc:
                if pc["ExecutionType"] not in ("STANDARD", "EXPRESS"):
                    v.err("ExecutionType must be one of [STANDARD, EXPRESS]", (pcp, "ExecutionType"))
                elif not distributed:
                    v.err("ExecutionType is allowed only with Mode DISTRIBUTED", (pcp, "ExecutionType"))
            elif distributed:
                v.err("These fields are required: [ExecutionType]", pcp)
    if proc is not None:
        v.express_child = (
            distributed
            and isinstance(pc := proc.get("ProcessorConfig"), dict)
            and pc.get("ExecutionType") == "EXPRESS"
        )
        _sub_machine(
            v,
            proc,
            (path, field),
            "processor",
            ctx,
            allowed=("StartAt", "States", "Comment", "ProcessorConfig"),
            distributed=distributed,
        )
    if "ItemsPath" in state and not ctx.jsonata:
        path_field(ctx, state["ItemsPath"], (path, "ItemsPath"), reference=True)
    if "Items" in state and ctx.jsonata:
        items = state["Items"]
        if (isinstance(items, str) and delimited(items)) or isinstance(items, list):
            jsonata_value(ctx, items, (path, "Items"))
        elif not is_placeholder(items):
            v.err("Items must be an array or a JSONata expression", (path, "Items"))
    if "ItemSelector" in state:
        if ctx.jsonata:
            jsonata_value(ctx, state["ItemSelector"], (path, "ItemSelector"))
        else:
            template(ctx, state["ItemSelector"], (path, "ItemSelector"))
    for f, lo, hi, num in (
        ("MaxConcurrency", 0, None, False),
        ("ToleratedFailureCount", 0, None, False),
        ("ToleratedFailurePercentage", 0, 100, True),
    ):
        if f in state and f + "Path" in state:
            v.err(f"a Map state may have only one of {f} and {f}Path", (path, f + "Path"), key=True)
        if f in state:
            int_field(v, state, f, path, minimum=lo, maximum=hi, jsonata=ctx.jsonata, ctx=ctx, number=num)
        if f + "Path" in state and not ctx.jsonata:
            path_field(ctx, state[f + "Path"], (path, f + "Path"), reference=True)
    if "Label" in state:
        _label(v, state["Label"], (path, "Label"))
    if not distributed:
        for f in (
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentagePath",
        ):
            if f in state:
                # DG state-map-distributed: these belong to Distributed Map only
                v.warn(
                    f"{f} applies only to a Map whose ProcessorConfig Mode is DISTRIBUTED",
                    (path, f),
                    "MAP_FIELD_NEEDS_DISTRIBUTED",
                    key=True,
                )
    if "ItemReader" in state:
        _item_reader(v, state["ItemReader"], (path, "ItemReader"), ctx)
    if "ItemBatcher" in state:
        _item_batcher(v, state["ItemBatcher"], (path, "ItemBatcher"), ctx)
    if "ResultWriter" in state:
        _result_writer(v, state["ResultWriter"], (path, "ResultWriter"), ctx)


def _label(v: Validator, label: Any, path: Path) -> None:
    if not isinstance(label, str):
        v.err(f"Label must be a string, not {json_type(label)}", path)
    elif not label:
        v.err("Label must not be empty", path, "INVALID_LABEL_NAME")
    elif len(label) > MAX_LABEL:
        v.err(f"Label is {len(label)} characters long; the limit is {MAX_LABEL}", path, "INVALID_LABEL_NAME")
    else:
        bad = next((c for c in label if c in _LABEL_FORBIDDEN or ord(c) < 32 or 127 <= ord(c) < 160), None)
        if bad is not None:
            v.err(f"Label must not contain {bad!r}", path, "INVALID_LABEL_NAME")


def _io_object(
    v: Validator, obj: Any, path: Path, ctx: StateCtx, allowed: tuple[str, ...], name: str
) -> bool:
    if not isinstance(obj, dict):
        v.err(f"{name} must be an object, not {json_type(obj)}", path)
        return False
    for key in obj:
        ok = (
            key in allowed
            or (key == "Parameters" and not ctx.jsonata)
            or (key == "Arguments" and ctx.jsonata)
        )
        if not ok:
            v.err(f"field {key!r} is not supported in {name}", (path, key), key=True)
    if "Parameters" in obj and not ctx.jsonata:
        template(ctx, obj["Parameters"], (path, "Parameters"))
    if "Arguments" in obj and ctx.jsonata:
        jsonata_value(ctx, obj["Arguments"], (path, "Arguments"))
    return True


def _item_reader(v: Validator, reader: Any, path: Path, ctx: StateCtx) -> None:
    if not _io_object(v, reader, path, ctx, ("Resource", "ReaderConfig"), "ItemReader"):
        return
    if "Resource" not in reader:
        v.err("These fields are required: [Resource]", path)
    else:
        check_resource(v, reader["Resource"], (path, "Resource"), ctx.jsonata)
    rc = reader.get("ReaderConfig")
    if rc is None:
        return
    rcp = (path, "ReaderConfig")
    if not isinstance(rc, dict):
        v.err("ReaderConfig must be an object", rcp)
        return
    allowed = (
        "InputType",
        "CSVHeaderLocation",
        "CSVHeaders",
        "CSVDelimiter",
        "MaxItems",
        "MaxItemsPath",
        "ManifestType",
        "Transformation",
    )
    for key in rc:
        if key not in allowed:
            v.err(f"field {key!r} is not supported in ReaderConfig", (rcp, key), key=True)
    if "MaxItems" in rc and "MaxItemsPath" in rc:
        v.err(
            "ReaderConfig may have only one of MaxItems and MaxItemsPath",
            (rcp, "MaxItemsPath"),
            key=True,
        )
    if "MaxItems" in rc:
        int_field(v, rc, "MaxItems", rcp, minimum=0, maximum=100_000_000, jsonata=ctx.jsonata, ctx=ctx)
    if "MaxItemsPath" in rc and not ctx.jsonata:
        path_field(ctx, rc["MaxItemsPath"], (rcp, "MaxItemsPath"), reference=True)
    it = rc.get("InputType")
    if it is not None and it not in ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"):
        v.err("InputType must be one of [CSV, JSON, JSONL, MANIFEST, PARQUET]", (rcp, "InputType"))
    loc = rc.get("CSVHeaderLocation")
    if loc is not None and loc not in ("FIRST_ROW", "GIVEN"):
        v.err("CSVHeaderLocation must be one of [FIRST_ROW, GIVEN]", (rcp, "CSVHeaderLocation"))
    if loc == "GIVEN" and "CSVHeaders" not in rc:
        v.err("CSVHeaders is required when CSVHeaderLocation is GIVEN", rcp)


def _item_batcher(v: Validator, batcher: Any, path: Path, ctx: StateCtx) -> None:
    allowed = ("MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput") + (
        () if ctx.jsonata else ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath")
    )
    if not isinstance(batcher, dict):
        v.err(f"ItemBatcher must be an object, not {json_type(batcher)}", path)
        return
    for key in batcher:
        if key not in allowed:
            v.err(f"field {key!r} is not supported in ItemBatcher", (path, key), key=True)
    for f, hi in (("MaxItemsPerBatch", None), ("MaxInputBytesPerBatch", 262144)):
        if f in batcher and f + "Path" in batcher:
            v.err(f"ItemBatcher may have only one of {f} and {f}Path", (path, f + "Path"), key=True)
        if f in batcher:
            int_field(v, batcher, f, path, minimum=1, maximum=hi, jsonata=ctx.jsonata, ctx=ctx)
        if f + "Path" in batcher and not ctx.jsonata:
            path_field(ctx, batcher[f + "Path"], (path, f + "Path"), reference=True)
    if "BatchInput" in batcher:
        if ctx.jsonata:
            jsonata_value(ctx, batcher["BatchInput"], (path, "BatchInput"))
        else:
            template(ctx, batcher["BatchInput"], (path, "BatchInput"))


def _result_writer(v: Validator, writer: Any, path: Path, ctx: StateCtx) -> None:
    if not _io_object(v, writer, path, ctx, ("Resource", "WriterConfig"), "ResultWriter"):
        return
    if "Resource" in writer:
        check_resource(v, writer["Resource"], (path, "Resource"), ctx.jsonata)
    elif "WriterConfig" not in writer:
        v.err("These fields are required: [Resource]", path)
    wc = writer.get("WriterConfig")
    if wc is None:
        return
    wcp = (path, "WriterConfig")
    if not isinstance(wc, dict):
        v.err("WriterConfig must be an object", wcp)
        return
    missing = [f for f in ("OutputType",) if f not in wc]
    if missing:
        v.err(f"These fields are required: [{', '.join(missing)}]", wcp)
    if "OutputType" in wc and wc["OutputType"] not in ("JSON", "JSONL"):
        v.err("OutputType must be one of [JSON, JSONL]", (wcp, "OutputType"))
    if "Transformation" in wc and wc["Transformation"] not in ("NONE", "COMPACT", "FLATTEN"):
        v.err("Transformation must be one of [NONE, COMPACT, FLATTEN]", (wcp, "Transformation"))
