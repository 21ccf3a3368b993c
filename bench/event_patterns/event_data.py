"""Deterministic workloads for the event-pattern benchmarks.

Everything here is seeded, so every run (and every engine in a run) sees the same events and rules:

- a CloudTrail-style event in its EventBridge envelope (about 1.2 KB of JSON) and one CloudTrail-style pattern
  that matches it;
- rule sets of any size mixing every operator family, most rules sharing a few fields (as real rule sets do),
  with a handful of rules planted to match the event;
- an SNS filter policy and typed message attributes (delivery shape ``{"Type": ..., "Value": ...}``);
- a deep, array-heavy CityLots-style event generator (shape in ../shared/bench/README.md) and the 70 rules
  of the CityLots2 benchmark read from ../shared/bench/event_ruler_benchmark_rules.json.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

SEED = 20261127

Json = dict[str, Any]

# ---------------------------------------------------------------------------------------------------------
# CloudTrail-style event and pattern

# Services with their CloudTrail event sources and a few typical API names; the event below is an S3 call.
_SERVICES: list[tuple[str, list[str]]] = [
    ("s3", ["PutObject", "GetObject", "DeleteObject", "CreateBucket", "PutBucketPolicy", "CopyObject"]),
    ("ec2", ["RunInstances", "TerminateInstances", "StopInstances", "CreateSecurityGroup", "CreateVolume"]),
    ("iam", ["CreateUser", "AttachRolePolicy", "CreateAccessKey", "PutRolePolicy", "DeleteRole"]),
    (
        "lambda",
        ["CreateFunction20150331", "Invoke", "UpdateFunctionCode20150331v2", "AddPermission20150331v2"],
    ),
    ("dynamodb", ["PutItem", "CreateTable", "DeleteTable", "UpdateTable", "BatchWriteItem"]),
    ("sts", ["AssumeRole", "GetCallerIdentity", "AssumeRoleWithWebIdentity", "GetSessionToken"]),
    ("kms", ["Decrypt", "Encrypt", "GenerateDataKey", "CreateKey", "ScheduleKeyDeletion"]),
    ("sns", ["Publish", "CreateTopic", "Subscribe", "SetSubscriptionAttributes"]),
    ("sqs", ["SendMessage", "CreateQueue", "DeleteQueue", "SetQueueAttributes"]),
    ("rds", ["CreateDBInstance", "DeleteDBInstance", "ModifyDBInstance", "RebootDBInstance"]),
    ("cloudformation", ["CreateStack", "UpdateStack", "DeleteStack", "ExecuteChangeSet"]),
    ("ecs", ["RunTask", "StopTask", "UpdateService", "RegisterTaskDefinition"]),
    ("eks", ["CreateCluster", "DeleteCluster", "CreateNodegroup", "UpdateClusterConfig"]),
    ("logs", ["CreateLogGroup", "PutRetentionPolicy", "DeleteLogGroup", "PutSubscriptionFilter"]),
    ("events", ["PutRule", "PutTargets", "DeleteRule", "PutEvents"]),
    ("secretsmanager", ["GetSecretValue", "CreateSecret", "RotateSecret", "DeleteSecret"]),
    ("ssm", ["GetParameter", "PutParameter", "SendCommand", "StartSession"]),
    ("cloudtrail", ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"]),
    ("route53", ["ChangeResourceRecordSets", "CreateHostedZone", "DeleteHostedZone"]),
    ("apigateway", ["CreateRestApi", "CreateDeployment", "UpdateStage", "DeleteRestApi"]),
    ("glue", ["StartJobRun", "CreateJob", "CreateCrawler", "DeleteDatabase"]),
    ("athena", ["StartQueryExecution", "CreateWorkGroup", "StopQueryExecution"]),
    ("kinesis", ["PutRecord", "CreateStream", "DeleteStream", "UpdateShardCount"]),
    ("elasticloadbalancing", ["CreateLoadBalancer", "RegisterTargets", "DeleteLoadBalancer"]),
    ("autoscaling", ["UpdateAutoScalingGroup", "CreateAutoScalingGroup", "SetDesiredCapacity"]),
    ("ecr", ["PutImage", "CreateRepository", "DeleteRepository", "BatchDeleteImage"]),
    ("states", ["StartExecution", "CreateStateMachine", "StopExecution"]),
    ("config", ["PutConfigRule", "DeleteConfigRule", "StopConfigurationRecorder"]),
    ("guardduty", ["CreateDetector", "DeleteDetector", "ArchiveFindings"]),
    ("organizations", ["CreateAccount", "LeaveOrganization", "AttachPolicy"]),
]
_REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
    "eu-north-1", "eu-south-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "sa-east-1", "me-south-1", "af-south-1", "ap-east-1",
]  # fmt: skip
_IDENTITY_TYPES = ["Root", "IAMUser", "AssumedRole", "FederatedUser", "AWSAccount", "AWSService"]
_ROLE_NAMES = [
    "DeployRole", "ci-runner", "DataPipeline", "AdminAccess", "ReadOnly", "BackupOperator", "etl-nightly",
    "SecurityAudit", "support-tier2", "billing-export",
]  # fmt: skip
_KEY_SUFFIXES = [".png", ".jpg", ".csv", ".json", ".parquet", ".gz", ".log", ".txt", ".pdf", ".zip"]
_CIDRS = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "100.64.0.0/10",
]

EVENT_ACCOUNT = "123456789012"
EVENT_REGION = "eu-west-1"
EVENT_BUCKET = "prod-media-uploads-eu"
EVENT_KEY = "uploads/2026/11/customer-4711/inv-42.pdf"
EVENT_ROLE = "DataPipeline"
EVENT_IP = "203.0.113.17"
EVENT_BYTES_IN = 48213


def cloudtrail_event(seed: int = SEED) -> Json:
    """An S3 ``PutObject`` CloudTrail record in its EventBridge envelope (about 1.2 KB as compact JSON)."""
    rng = random.Random(seed)

    def hexid(n: int) -> str:
        return "".join(rng.choice("0123456789abcdef") for _ in range(n))

    role_arn = f"arn:aws:iam::{EVENT_ACCOUNT}:role/{EVENT_ROLE}"
    return {
        "version": "0",
        "id": f"{hexid(8)}-{hexid(4)}-{hexid(4)}-{hexid(4)}-{hexid(12)}",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.s3",
        "account": EVENT_ACCOUNT,
        "time": "2026-11-27T08:14:51Z",
        "region": EVENT_REGION,
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "AssumedRole",
                "arn": f"arn:aws:sts::{EVENT_ACCOUNT}:assumed-role/{EVENT_ROLE}/session-{hexid(6)}",
                "accountId": EVENT_ACCOUNT,
                "sessionContext": {
                    "sessionIssuer": {"type": "Role", "arn": role_arn, "userName": EVENT_ROLE},
                },
            },
            "eventTime": "2026-11-27T08:14:51Z",
            "eventSource": "s3.amazonaws.com",
            "eventName": "PutObject",
            "awsRegion": EVENT_REGION,
            "sourceIPAddress": EVENT_IP,
            "userAgent": "aws-sdk-java/2.25.13",
            "requestParameters": {
                "bucketName": EVENT_BUCKET,
                "key": EVENT_KEY,
            },
            "responseElements": None,
            "additionalEventData": {
                "bytesTransferredIn": EVENT_BYTES_IN,
            },
            "eventID": f"{hexid(8)}-{hexid(4)}-{hexid(4)}-{hexid(4)}-{hexid(12)}",
            "readOnly": False,
            "resources": [
                {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{EVENT_BUCKET}/{EVENT_KEY}"},
                {
                    "accountId": EVENT_ACCOUNT,
                    "type": "AWS::S3::Bucket",
                    "ARN": f"arn:aws:s3:::{EVENT_BUCKET}",
                },
            ],
            "eventType": "AwsApiCall",
            "managementEvent": False,
            "recipientAccountId": EVENT_ACCOUNT,
            "eventCategory": "Data",
        },
    }


def cloudtrail_pattern() -> Json:
    """A CloudTrail-style rule that matches the event above: exact lists, prefix, suffix, numeric, exists."""
    return {
        "source": ["aws.s3"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["s3.amazonaws.com"],
            "eventName": ["PutObject", "CopyObject", "CompleteMultipartUpload"],
            "userIdentity": {"type": ["AssumedRole", "IAMUser"]},
            "requestParameters": {
                "bucketName": [{"prefix": "prod-"}],
                "key": [{"suffix": ".pdf"}],
            },
            "additionalEventData": {"bytesTransferredIn": [{"numeric": [">", 0, "<=", 5242880]}]},
            "errorCode": [{"exists": False}],
        },
    }


def to_bytes(value: Any) -> bytes:
    """Compact JSON bytes (what arrives on a wire)."""
    return orjson.dumps(value)


# ---------------------------------------------------------------------------------------------------------
# Mixed rule sets

RULESET_SIZES = (1, 100, 1_000, 10_000)


def planted_count(size: int) -> int:
    """How many rules of a ``size`` set are built to match the event: 1, 2, 5, 10 for the standard sizes."""
    return {1: 1, 100: 2, 1_000: 5, 10_000: 10}.get(size, max(1, size // 1000))


def _other(rng: random.Random, choices: list[str], avoid: str) -> str:
    """A random choice different from ``avoid``, so a non-planted rule cannot match by chance."""
    while True:
        value = rng.choice(choices)
        if value != avoid:
            return value


def _event_name(rng: random.Random, service: str, hit: bool) -> list[str]:
    names = dict(_SERVICES)[service]
    if hit:
        return ["PutObject", *rng.sample(names, 1)] if service == "s3" else ["PutObject"]
    pool = [n for n in names if n != "PutObject"]
    return rng.sample(pool, min(len(pool), rng.randint(1, 3)))


def _service(rng: random.Random, hit: bool) -> str:
    # Non-planted rules skew towards s3 (the event's service) so that the shared fields really are shared and
    # many rules survive the first condition, as with real per-account rule sets.
    if hit:
        return "s3"
    return "s3" if rng.random() < 0.25 else rng.choice(_SERVICES[1:])[0]


# Each template builds one rule; ``hit`` asks for a rule that matches cloudtrail_event(), otherwise at least
# one condition is guaranteed false for it (the event name, account, region, bucket, ... differs).
def _t_exact(rng: random.Random, hit: bool) -> Json:
    svc = _service(rng, hit)
    return {
        "source": [f"aws.{svc}"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": [f"{svc}.amazonaws.com"], "eventName": _event_name(rng, svc, hit)},
    }


def _t_prefix(rng: random.Random, hit: bool) -> Json:
    bucket_prefix = "prod-media" if hit else rng.choice(["dev-", "staging-", "logs-", "backup-", "tmp-"])
    return {
        "source": ["aws.s3"],
        "detail": {
            "eventName": [{"prefix": "Put"}, {"prefix": "Copy"}] if hit else [{"prefix": "Delete"}],
            "requestParameters": {"bucketName": [{"prefix": bucket_prefix}]},
        },
    }


def _t_suffix(rng: random.Random, hit: bool) -> Json:
    suffix = ".pdf" if hit else _other(rng, _KEY_SUFFIXES, ".pdf")
    return {"source": ["aws.s3"], "detail": {"requestParameters": {"key": [{"suffix": suffix}]}}}


def _t_ignore_case(rng: random.Random, hit: bool) -> Json:
    name = EVENT_ROLE if hit else _other(rng, _ROLE_NAMES, EVENT_ROLE) + f"-{rng.randint(1, 999)}"
    cased = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in name)
    return {
        "detail": {
            "userIdentity": {
                "sessionContext": {"sessionIssuer": {"userName": [{"equals-ignore-case": cased}]}}
            }
        }
    }


def _t_numeric(rng: random.Random, hit: bool) -> Json:
    if hit:
        low, high = EVENT_BYTES_IN - rng.randint(1, 40000), EVENT_BYTES_IN + rng.randint(1, 40000)
    elif rng.random() < 0.5:  # a range above the event's value
        low = EVENT_BYTES_IN + rng.randint(1, 10**6)
        high = low + rng.randint(1, 40000)
    else:  # a range below it (the upper bound is exclusive)
        high = EVENT_BYTES_IN - rng.randint(0, 40000)
        low = high - rng.randint(1, 40000)
    return {
        "source": ["aws.s3"],
        "detail": {"additionalEventData": {"bytesTransferredIn": [{"numeric": [">=", low, "<", high]}]}},
    }


def _t_anything_but(rng: random.Random, hit: bool) -> Json:
    excluded = rng.sample([r for r in _REGIONS if r != EVENT_REGION], 3)
    if not hit:
        excluded[0] = EVENT_REGION
    svc = _service(rng, hit)
    return {"source": [f"aws.{svc}"], "detail": {"awsRegion": [{"anything-but": excluded}]}, "account": [
        EVENT_ACCOUNT if hit else f"{rng.randint(10**11, 10**12 - 1)}"
    ]}  # fmt: skip


def _t_exists(rng: random.Random, hit: bool) -> Json:
    svc = _service(rng, hit)
    return {
        "source": [f"aws.{svc}"],
        "detail": {"errorCode": [{"exists": not hit}], "eventName": _event_name(rng, svc, hit)},
    }


def _t_cidr(rng: random.Random, hit: bool) -> Json:
    block = "203.0.113.0/24" if hit else _other(rng, _CIDRS, "203.0.113.0/24")
    return {"detail": {"sourceIPAddress": [{"cidr": block}], "eventSource": ["s3.amazonaws.com"]}}


def _t_wildcard(rng: random.Random, hit: bool) -> Json:
    pattern = "uploads/*/customer-*/*.pdf" if hit else f"exports/*/{rng.choice(_ROLE_NAMES)}/*.csv"
    return {"source": ["aws.s3"], "detail": {"requestParameters": {"key": [{"wildcard": pattern}]}}}


def _t_or(rng: random.Random, hit: bool) -> Json:
    svc = _service(rng, hit)
    return {
        "source": [f"aws.{svc}"],
        "$or": [
            {"detail": {"eventName": _event_name(rng, svc, hit)}},
            {"detail": {"userIdentity": {"type": ["Root"]}, "readOnly": [True]}},
        ],
    }


def _t_resources(rng: random.Random, hit: bool) -> Json:
    bucket = EVENT_BUCKET if hit else f"{rng.choice(['prod', 'dev', 'qa'])}-bucket-{rng.randint(1, 9999)}"
    return {
        "detail": {
            "resources": {"type": ["AWS::S3::Bucket"], "ARN": [{"prefix": f"arn:aws:s3:::{bucket}"}]},
        }
    }


def _t_account_region(rng: random.Random, hit: bool) -> Json:
    return {
        "account": [EVENT_ACCOUNT if hit else f"{rng.randint(10**11, 10**12 - 1)}"],
        "region": [EVENT_REGION if hit else _other(rng, _REGIONS, EVENT_REGION)],
        "detail-type": ["AWS API Call via CloudTrail"],
    }


# (template, weight): exact and prefix rules dominate as in real rule sets; wildcards stay rare.
_TEMPLATES: list[tuple[Callable[[random.Random, bool], Json], int]] = [
    (_t_exact, 30),
    (_t_prefix, 10),
    (_t_suffix, 8),
    (_t_ignore_case, 6),
    (_t_numeric, 8),
    (_t_anything_but, 8),
    (_t_exists, 6),
    (_t_cidr, 6),
    (_t_wildcard, 1),
    (_t_or, 6),
    (_t_resources, 5),
    (_t_account_region, 6),
]


def mixed_rules(size: int, seed: int = SEED) -> list[tuple[str, Json]]:
    """``size`` named rules mixing every operator family; ``planted_count(size)`` of them match the event.

    Planted rules are spread evenly through the set and cycle through the templates, so the matching names are
    a deterministic function of ``size``.
    """
    rng = random.Random(seed * 31 + size)
    templates = [t for t, _ in _TEMPLATES]
    weights = [w for _, w in _TEMPLATES]
    planted = planted_count(size)
    stride = max(1, size // planted)
    hits = {i * stride for i in range(planted)}
    rules: list[tuple[str, Json]] = []
    for i in range(size):
        if i in hits:
            template = templates[(i // stride) % len(templates)]
            rules.append((f"hit-{i:05d}", template(rng, True)))
        else:
            template = rng.choices(templates, weights)[0]
            rules.append((f"rule-{i:05d}", template(rng, False)))
    return rules


def expected_matches(size: int) -> list[str]:
    """The names built to match cloudtrail_event() in mixed_rules(size)."""
    return sorted(name for name, _ in mixed_rules(size) if name.startswith("hit-"))


# ---------------------------------------------------------------------------------------------------------
# SNS filter policy (attribute scope) and message attributes in the delivery shape


def sns_policy() -> Json:
    return {
        "store": ["example_corp"],
        "event": [{"anything-but": ["order_cancelled", "order_refunded"]}],
        "customer_interests": ["rugby", "football", "baseball"],
        "price_usd": [{"numeric": [">=", 100, "<", 5000]}],
        "channel": [{"prefix": "web"}],
    }


def sns_attributes() -> Json:
    return {
        "store": {"Type": "String", "Value": "example_corp"},
        "event": {"Type": "String", "Value": "order_placed"},
        "customer_interests": {"Type": "String.Array", "Value": '["soccer", "rugby", "hockey"]'},
        "price_usd": {"Type": "Number", "Value": "210.75"},
        "channel": {"Type": "String", "Value": "web-eu"},
        "encrypted": {"Type": "Binary", "Value": "ZXhhbXBsZQ=="},
    }


# ---------------------------------------------------------------------------------------------------------
# CityLots-style events and the CityLots2 benchmark rules

SHARED_RULES = Path(__file__).resolve().parents[3] / "shared" / "bench" / "event_ruler_benchmark_rules.json"

# Street names of San Francisco, including those the CityLots2 rules address (prefix AC/BL/DR/FU/RH, suffix
# ON/KE/MM/ING/GO, JEFFERSON, BEACH, HYDE, CHESTNUT, FULTON, MASON).
_STREETS = [
    "GREENWICH", "FULTON", "MASON", "JEFFERSON", "BEACH", "HYDE", "CHESTNUT", "ACTON", "BLAKE", "DRUMM",
    "RHODE ISLAND", "MISSION", "WASHINGTON", "BROADWAY", "LAKE", "MARKET", "SACRAMENTO", "CALIFORNIA",
    "SAN DIEGO", "FULTON", "GEARY", "JACKSON", "HARRISON", "BUCHANAN", "POLK", "LARKIN", "IRVING", "JUDAH",
    "TARAVAL", "NORIEGA", "DORLAND", "LOMBARD", "FILLMORE", "STOCKTON", "FOLSOM", "BRYANT", "WILLIAM",
    "VALENCIA", "GOUGH", "FRANKLIN", "VAN NESS", "KEARNY", "MONTGOMERY", "SANSOME", "BATTERY", "DAVIS",
]  # fmt: skip
_ST_TYPES = ["ST", "ST", "ST", "ST", "ST", "AVE", "AVE", "BLVD", "WAY", "TER", "PL", None]
# Values some CityLots2 rules name exactly, drawn now and then so that the exact/numeric sets see matches.
_NAMED_LOTS = ["1430022", "2607117", "2607218", "3745012", "VACSTWIL"]
_NAMED_X = [-122.42916360922355, -122.41600944012424]
_NAMED_Y = [37.729900216217324]


def _point(rng: random.Random, x0: float, y0: float) -> Json:
    return {
        "x": round(x0 + rng.uniform(-4e-4, 4e-4), 14),
        "y": round(y0 + rng.uniform(-4e-4, 4e-4), 14),
        "z": 0,
    }


def citylots_event(rng: random.Random) -> Json:
    """One lot: properties plus a Polygon (rings of points) or, rarely, a MultiPolygon (polygons of rings)."""
    block = f"{rng.randint(1, 7600):04d}"
    lot = f"{rng.randint(1, 250):03d}"
    mapblklot = rng.choice(_NAMED_LOTS) if rng.random() < 0.05 else block + lot
    from_st = str(rng.randint(1, 4000))
    x0 = rng.choice(_NAMED_X) if rng.random() < 0.05 else rng.uniform(-122.515, -122.357)
    y0 = rng.choice(_NAMED_Y) if rng.random() < 0.02 else rng.uniform(37.708, 37.833)
    first = {"x": x0, "y": y0, "z": 0}
    multi = rng.random() < 0.05

    def ring() -> list[Json]:
        return [first, *(_point(rng, x0, y0) for _ in range(rng.randint(4, 9))), first]

    coordinates: list[Any]
    if multi:
        coordinates = [[ring()] for _ in range(rng.randint(2, 3))]
    else:
        coordinates = [ring() for _ in range(1 if rng.random() < 0.9 else 2)]
    return {
        "type": "Feature",
        "properties": {
            "MAPBLKLOT": mapblklot,
            "BLKLOT": mapblklot,
            "BLOCK_NUM": block,
            "LOT_NUM": lot,
            "FROM_ST": from_st,
            "TO_ST": str(int(from_st) + rng.choice([0, 0, 2, 4, 10])),
            "STREET": rng.choice(_STREETS),
            "ST_TYPE": rng.choice(_ST_TYPES),
            "ODD_EVEN": "O" if int(from_st) % 2 else "E",
        },
        "geometry": {
            "type": "MultiPolygon" if multi else "Polygon",
            "firstCoordinates": first,
            "coordinates": coordinates,
        },
    }


def citylots_events(count: int, seed: int = SEED) -> list[bytes]:
    """``count`` CityLots-style events as compact JSON lines (about 900 bytes each on average)."""
    rng = random.Random(seed + 7)
    return [to_bytes(citylots_event(rng)) for _ in range(count)]


def citylots_rules(path: Path = SHARED_RULES) -> dict[str, list[tuple[str, Json]]] | None:
    """The CityLots2 rule sets by name (14 sets of 5 plus PARTIAL_COMBO and COMBO), or None when absent."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    sets: dict[str, list[tuple[str, Json]]] = {}
    for rule in data["rules"]:
        sets.setdefault(rule["set"], []).append((rule["id"], rule["rule"]))
    for combo, members in data["combos"].items():
        sets[combo] = [named for member in members for named in sets[member]]
    return sets


# ---------------------------------------------------------------------------------------------------------
# A driver for profilers: python3 bench/event_patterns/event_data.py WORKLOAD [SECONDS]


def _profile_loop(workload: str, seconds: float, profile_match: bool = False) -> int:
    """Build one workload with tamis, then match it for about ``seconds``.

    External profilers (py-spy) see both phases; ``profile_match`` profiles only the matching loop.
    """
    import time

    import tamis

    event_bytes = to_bytes(cloudtrail_event())
    if workload in ("single-bytes", "single-dict"):
        compiled = tamis.compile_pattern(json.dumps(cloudtrail_pattern()), dialect="eventbridge")
        match: Callable[[Any], Any] = compiled.matches
        arg: Any = event_bytes if workload == "single-bytes" else cloudtrail_event()
    elif workload == "sns":
        sns = tamis.compile_pattern(json.dumps(sns_policy()), dialect="sns", scope="MessageAttributes")
        match, arg = sns.matches, sns_attributes()
    elif workload.startswith("ruleset-"):
        ruleset = tamis.RuleSet(dialect="eventbridge")
        for name, pattern in mixed_rules(int(workload.removeprefix("ruleset-"))):
            ruleset.add(name, json.dumps(pattern))
        match, arg = ruleset.matches, event_bytes
    elif workload.startswith("citylots-"):
        sets = citylots_rules()
        if sets is None:
            raise SystemExit(f"CityLots2 rules not present: {SHARED_RULES}")
        ruleset = tamis.RuleSet(dialect="eventbridge")
        for name, pattern in sets[workload.removeprefix("citylots-")]:
            ruleset.add(name, json.dumps(pattern))
        events = citylots_events(200)

        def match(batch: list[bytes]) -> int:
            return sum(len(ruleset.matches(event)) for event in batch)

        arg = events
    else:
        raise SystemExit("workload: single-bytes | single-dict | sns | ruleset-N | citylots-SET")
    match(arg)  # engines may finish building lazily on the first event: keep that out of the loop
    profiler = None
    if profile_match:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() < start + seconds:
        for _ in range(100):
            match(arg)
        calls += 100
    elapsed = time.perf_counter() - start
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, show_all=False))
    print(f"{workload}: {calls} calls in {elapsed:.2f} s, {elapsed / calls * 1e6:.1f} µs per call")
    return 0


if __name__ == "__main__":
    import argparse

    cli = argparse.ArgumentParser(description="Build one tamis workload, then match it in a loop.")
    cli.add_argument("workload", help="single-bytes | single-dict | sns | ruleset-N | citylots-SET")
    cli.add_argument("seconds", nargs="?", type=float, default=5.0)
    cli.add_argument("--pyinstrument", action="store_true", help="profile the matching loop only")
    args = cli.parse_args()
    raise SystemExit(_profile_loop(args.workload, args.seconds, profile_match=args.pyinstrument))
