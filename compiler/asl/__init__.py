"""Amazon States Language: where definitions come from, the validator, and the Choice compiler.

``sources`` finds the definitions in a text (JSON, YAML, CloudFormation/SAM, templates) and maps paths
to positions. ``validator`` walks one parsed definition; the rules live in ``states`` (fields every
state shares; Pass, Task, Wait, Succeed, Fail), ``choice_rules``, ``map_parallel``, ``retry_catch``,
``resources``, ``expressions`` (paths, intrinsic calls, JSONata), ``variables`` (Assign and the
dataflow) and ``graph`` (transitions, reachability, terminal states), over the shared ``findings``,
``scope``, ``fields`` and ``values``. ``choice_compiler`` turns one Choice state into a decision
function of ``tamis.runtime.choice``.
"""
