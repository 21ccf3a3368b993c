"""Amazon States Language sub-languages: JSONPath, intrinsics, JSONata: each .lark beside its parser."""
