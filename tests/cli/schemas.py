#!/usr/bin/env python3
"""schemas/scenario.schema.json and schemas/target.schema.json against the loaders.

Run by tests/cli/test_schemas.sh with the test virtualenv's python (jsonschema). Checks:
  1. both schemas are valid JSON Schema draft 2020-12 and are schemas/generate.py's output;
  2. every shipped scenario and target (and the README's example files) validates against its
     schema and names it in a relative "$schema" that resolves to the schema file; every json
     example of README.md and docs/*.md passes both the schema and kproof validate;
  3. every case of tests/cli/invalid_input.tsv is rejected by `kproof validate` (exit 2) and by
     the schema, except the cases listed in LOADER_ONLY (semantic rules a schema cannot state),
     each of which the schema must accept (so the list stays true);
  4. the schemas' key sets, value kinds, integer and number ranges, minimum array lengths,
     duration ranges (in the descriptions) and enums are the loaders' own: kproof validate is
     probed with an unknown key in every closed object (its "expected one of" list is the set
     of keys the loader reads there), without each member of a minimal valid object (required
     keys), with a wrong-typed value in every property, with an
     out-of-range duration and an unknown enum value; check ids, gates and checklist rows come
     from `kproof list --json`. Every closed object of the schemas must be probed, and the
     comparison is shown to fail on a schema with a key removed.
Prints "ok - ..." / "not ok - ..." and "N passed, N failed"; exits 1 on a failure.
"""
import copy
import json
import os
import re
import subprocess
import sys

import jsonschema

KPROOF = os.environ["KPROOF"]
SRC = os.environ["KPROOF_SRC"]
WORK = sys.argv[1]
PASSED = FAILED = 0


def ok(desc):
    global PASSED
    PASSED += 1
    print("ok - " + desc)


def not_ok(desc):
    global FAILED
    FAILED += 1
    print("not ok - " + desc)


def check(desc, cond):
    (ok if cond else not_ok)(desc)
    return cond


def load_schema(kind):
    with open(os.path.join(SRC, "schemas", kind + ".schema.json")) as f:
        return json.load(f)


SCHEMAS = {k: load_schema(k) for k in ("scenario", "target")}


def validator(schema):
    return jsonschema.Draft202012Validator(schema)


def schema_errors(kind, doc, schema=None):
    return list(validator(schema or SCHEMAS[kind]).iter_errors(doc))


N_RUN = 0


def kproof_validate(doc_or_bytes, name="probe.json"):
    """(exit code, message after the JSON path, JSON path) of `kproof validate`."""
    global N_RUN
    N_RUN += 1
    path = os.path.join(WORK, name)
    data = doc_or_bytes if isinstance(doc_or_bytes, bytes) else json.dumps(doc_or_bytes).encode()
    with open(path, "wb") as f:
        f.write(data)
    p = subprocess.run([KPROOF, "validate", path], capture_output=True, text=True,
                       errors="replace")
    err = p.stderr.strip()
    m = re.match(r"^kproof: [^:]*: (\$\S*): (.*)$", err)
    return p.returncode, (m.group(2) if m else err), (m.group(1) if m else "")


# ---------------------------------------------------------------- 1. the schemas themselves
for kind, sch in SCHEMAS.items():
    try:
        jsonschema.Draft202012Validator.check_schema(sch)
        ok(f"{kind}.schema.json is a valid draft 2020-12 schema")
    except jsonschema.SchemaError as e:
        not_ok(f"{kind}.schema.json is not a valid schema: {e.message}")
    check(f"{kind}.schema.json declares draft 2020-12",
          sch.get("$schema") == "https://json-schema.org/draft/2020-12/schema")

# The committed schemas are schemas/generate.py's output (nobody edits them by hand).
gen_dir = os.path.join(WORK, "generated")
os.makedirs(gen_dir)
p = subprocess.run([sys.executable, os.path.join(SRC, "schemas", "generate.py"), KPROOF, gen_dir],
                   capture_output=True, text=True)
check(f"schemas/generate.py runs (rc {p.returncode}: {p.stderr.strip()[-300:]})", p.returncode == 0)
for kind in SCHEMAS:
    fn = kind + ".schema.json"
    same = p.returncode == 0 and open(os.path.join(gen_dir, fn), "rb").read() == \
        open(os.path.join(SRC, "schemas", fn), "rb").read()
    check(f"schemas/{fn} is what schemas/generate.py writes (run it after changing it)", same)

# ---------------------------------------------------------------- 2. shipped files validate
shipped = []
for kind, d in (("scenario", "scenarios"), ("target", "targets")):
    for fn in sorted(os.listdir(os.path.join(SRC, d))):
        if fn.endswith(".json"):
            shipped.append((kind, os.path.join(SRC, d, fn)))
check(f"shipped files found ({len(shipped)})", len(shipped) >= 10)
for kind, path in shipped:
    rel = os.path.relpath(path, SRC)
    with open(path) as f:
        doc = json.load(f)
    errs = schema_errors(kind, doc)
    check(f"{rel} validates against {kind}.schema.json"
          + ("" if not errs else f" ({list(errs[0].absolute_path)}: {errs[0].message[:200]})"), not errs)
    ref = doc.get("$schema", "")
    target = os.path.normpath(os.path.join(os.path.dirname(path), ref))
    check(f"{rel} names its schema by a relative \"$schema\" ({ref!r})",
          ref and not ref.startswith("/") and
          target == os.path.join(SRC, "schemas", kind + ".schema.json"))
    # In place: targets name their price sheets relative to themselves. ${env:NAME} references
    # (e.g. the secured fixture's passwords) are given values for the loader.
    env = dict(os.environ)
    with open(path) as f:
        for name in re.findall(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}", f.read()):
            env.setdefault(name, "probe-" + name.lower())
    p = subprocess.run([KPROOF, "validate", path], capture_output=True, text=True, env=env)
    check(f"{rel} passes kproof validate (rc {p.returncode}: {p.stderr.strip()[:200]})", p.returncode == 0)

# The README's example files are whole files: they validate too.
with open(os.path.join(SRC, "README.md")) as f:
    readme = f.read()
for kind, heading in (("scenario", "### Scenario"), ("target", "### Target")):
    at = readme.find(heading)
    m = re.search(r"```json\n(.*?)```", readme[at:], re.S) if at >= 0 else None
    if not check(f"README has a {kind} example after '{heading}'", m is not None):
        continue
    doc = json.loads(m.group(1))
    errs = schema_errors(kind, doc)
    check(f"README's {kind} example validates against {kind}.schema.json"
          + ("" if not errs else f" ({errs[0].message[:200]})"), not errs)
    check(f"README's {kind} example names its schema",
          doc.get("$schema") == f"../schemas/{kind}.schema.json")

# Every ```json example of README.md and docs/*.md is checked by both: a whole file as it is, a
# suite entry inside a minimal scenario, target members ("kms": {...}) inside a minimal target.
# ${env:NAME} references are given values for the loader.
DOC_ENV = dict(os.environ)
EX_DIR = os.path.join(WORK, "examples", "targets")
os.makedirs(EX_DIR)
os.symlink(os.path.join(SRC, "fixtures"), os.path.join(WORK, "examples", "fixtures"))
n_examples = 0
doc_files = ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(SRC, "docs")) if f.endswith(".md"))
for rel in doc_files:
    with open(os.path.join(SRC, rel)) as f:
        text = f.read()
    for i, m in enumerate(re.finditer(r"^```json\n(.*?)^```", text, re.S | re.M)):
        block = m.group(1).strip()
        where = f"{rel} json example {i + 1}"
        for name in re.findall(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}", block):
            DOC_ENV[name] = "probe-" + name.lower()
        try:
            frag = json.loads(block if block.startswith("{") else "{" + block.rstrip(",") + "}")
        except ValueError as e:
            not_ok(f"{where} is not JSON ({e})")
            continue
        if "suites" in frag:
            kind, doc = "scenario", frag
        elif "suite" in frag:
            kind, doc = "scenario", {"name": "x", "suites": [frag]}
        elif "name" in frag:
            kind, doc = "target", frag
        else:
            kind, doc = "target", dict({"name": "t", "kafka": {"bootstrap.servers": "a:1"}}, **frag)
        n_examples += 1
        errs = schema_errors(kind, doc)
        check(f"{where} validates against {kind}.schema.json"
              + ("" if not errs else f" ({list(errs[0].absolute_path)}: {errs[0].message[:200]})"), not errs)
        # As if in targets/ or scenarios/: a price sheet is named relative to the file.
        path = os.path.join(EX_DIR, f"doc-example-{n_examples}.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        p = subprocess.run([KPROOF, "validate", path], capture_output=True, text=True, env=DOC_ENV)
        check(f"{where} passes kproof validate (rc {p.returncode}: {p.stderr.strip()[:200]})", p.returncode == 0)
check(f"docs examples checked ({n_examples})", n_examples >= 7)

# The schemas really reject: one broken copy of a shipped file each.
with open(os.path.join(SRC, "scenarios", "quickstart.json")) as f:
    qs = json.load(f)
bad = copy.deepcopy(qs)
bad["suites"][0]["workload"]["duraton"] = "5s"
check("a misspelt workload key is rejected by the scenario schema", bool(schema_errors("scenario", bad)))

# ---------------------------------------------------------------- 3. invalid_input.tsv
# Cases the schema cannot reject: what the loader checks that JSON Schema cannot state.
LOADER_ONLY = {
    "s14.json": "an unset ${env:NAME} is known only when the file is loaded",
    "t09.json": "an unset ${env:NAME} is known only when the file is loaded",
    "s22.json": "a suite listed twice: uniqueItems compares whole entries, not the \"suite\" member",
    "t41.json": "host bits set in a CIDR: arithmetic on the address, not a pattern",
    "t65.json": "an operation in control.timeouts without a command: a key of one map must be a key "
                "of another",
    "s66.json": "a duration outside its range: ranges of durations are in the descriptions only",
    "s67.json": "a destination target file that does not exist: only the loader opens it",
    "s80.json": "more workers than producers: a comparison of two members",
    "s84.json": "workers > 1 outside the failover suite: a member allowed only with one suite name",
    "nf07.json": "jitter_ms above delay_ms: a comparison of two members",
}
cases = []
with open(os.path.join(SRC, "tests", "cli", "invalid_input.tsv"), "rb") as f:
    for raw in f.read().split(b"\n"):
        if not raw or raw.startswith(b"#"):
            continue
        parts = raw.split(b"\t")
        cases.append((parts[0].decode(), parts[1]))
check(f"invalid_input.tsv has cases ({len(cases)})", len(cases) >= 40)
seen_loader_only = set()
for name, content in cases:
    rc, msg, _ = kproof_validate(content, name)
    check(f"{name}: kproof validate rejects it with exit 2 (got {rc}: {msg[:120]})", rc == 2)
    try:
        doc = json.loads(content.decode("utf-8"))
        parsed = True
    except (UnicodeDecodeError, ValueError):
        parsed = False
    if not parsed:
        check(f"{name}: not a JSON document (invalid JSON or UTF-8), so no schema accepts it",
              name not in LOADER_ONLY)
        continue
    if isinstance(doc, dict) and "suites" in doc:
        kinds = ["scenario"]
    elif isinstance(doc, dict) and ("kafka" in doc or "control" in doc):
        kinds = ["target"]
    else:
        kinds = ["scenario", "target"]  # neither kind: both schemas must reject it
    rejected = all(schema_errors(k, doc) for k in kinds)
    if name in LOADER_ONLY:
        seen_loader_only.add(name)
        check(f"{name}: loader-only ({LOADER_ONLY[name]}); the schema accepts it", not rejected)
    else:
        check(f"{name}: the {'/'.join(kinds)} schema rejects it too", rejected)
check(f"every LOADER_ONLY case is in invalid_input.tsv (missing: {sorted(set(LOADER_ONLY) - seen_loader_only)})",
      seen_loader_only == set(LOADER_ONLY))

# ---------------------------------------------------------------- 4. schema vs loader
CAT = json.loads(subprocess.run([KPROOF, "list", "--json"], capture_output=True, text=True,
                                check=True).stdout)
SUITES = {s["name"]: s for s in CAT["suites"]}


def resolve(schema, ptr):
    node = schema
    for part in ptr.strip("#/").split("/"):
        if part:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def deref(schema, node):
    if "$ref" in node and node["$ref"].startswith("#/$defs/") and node["$ref"] != "#/$defs/duration":
        return deref(schema, resolve(schema, node["$ref"][1:]))
    return node


def closed_objects(node, ptr="#", out=None):
    """Pointers of every subschema that rejects unknown keys."""
    out = set() if out is None else out
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            out.add(ptr)
        for k, v in node.items():
            closed_objects(v, f"{ptr}/{k}", out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            closed_objects(v, f"{ptr}/{i}", out)
    return out


def put(doc, path, key, value):
    doc = copy.deepcopy(doc)
    node = doc
    for p in path:
        node = node[p]
    node[key] = value
    return doc


SCN = {"name": "x", "suites": [{"suite": "semantics"}]}


# The migration suite needs a loadable destination target.
MIG_DEST = os.path.join(SRC, "targets", "kafka-local-b.json")


def scn(entry):
    if entry.get("suite") == "migration" and "options" not in entry:
        entry = dict(entry, options={"destination": MIG_DEST})
    return {"name": "x", "suites": [entry]}


TGT = {"name": "t", "kafka": {"bootstrap.servers": "a:1"}}


def tgt(**sections):
    d = copy.deepcopy(TGT)
    d.update(sections)
    return d


# Credentials are secrets: kproof masks their text in every message, so they must not occur in one.
CRED = {"access_key_id": "AKIDPROBE0000000", "secret_access_key": "SECRETPROBE00000"}
KMS_AWS = dict(CRED, type="aws-kms", region="eu-west-1", key="alias/probe")
S3 = dict(CRED, type="s3", region="eu-west-1", bucket="probe-bucket")
EXEC = {"type": "exec", "commands": {"kill_broker": "x"}}
# (schema kind, schema pointer of a closed object, a valid document, path to that object in it)
AUDIT_SRC = {"name": "a", "kind": "admin", "type": "file", "path": "/x", "format": "jsonl"}
PROBES = [
    ("scenario", "#", SCN, []),
    ("scenario", "#/$defs/workload", scn({"suite": "semantics", "workload": {}}), ["suites", 0, "workload"]),
    ("scenario", "#/$defs/client", scn({"suite": "semantics", "client": {}}), ["suites", 0, "client"]),
    ("scenario", "#/$defs/fault", scn({"suite": "semantics", "faults": [{"at": "1s", "action": "kill_leader"}]}),
     ["suites", 0, "faults", 0]),
]
for s in SUITES:
    PROBES.append(("scenario", f"#/$defs/suite_{s}", scn({"suite": s}), ["suites", 0]))
    PROBES.append(("scenario", f"#/$defs/suite_{s}/properties/gates", scn({"suite": s, "gates": {}}),
                   ["suites", 0, "gates"]))
    if s in ("revocation", "failover", "scaling", "cost", "location", "observability"):
        PROBES.append(("scenario", f"#/$defs/suite_{s}/properties/options", scn({"suite": s, "options": {}}),
                       ["suites", 0, "options"]))
PROBES.append(("scenario", "#/$defs/suite_migration/properties/options", scn({"suite": "migration"}),
               ["suites", 0, "options"]))
PROBES += [
    ("target", "#", TGT, []),
    ("target", "#/$defs/controlNone", tgt(control={"type": "none"}), ["control"]),
    ("target", "#/$defs/controlEmbedded", {"name": "t", "control": {"type": "embedded"}}, ["control"]),
    ("target", "#/$defs/controlExec", tgt(control=EXEC), ["control"]),
    ("target", "#/$defs/kmsNone", tgt(kms={"type": "none"}), ["kms"]),
    ("target", "#/$defs/kmsAws", tgt(kms=KMS_AWS), ["kms"]),
    ("target", "#/$defs/storageNone", tgt(storage={"type": "none"}), ["storage"]),
    ("target", "#/$defs/storageDir", tgt(storage={"type": "dir", "log_dirs": ["/x"]}), ["storage"]),
    ("target", "#/$defs/storageS3", tgt(storage=S3), ["storage"]),
    ("target", "#/$defs/deployment", tgt(deployment={}), ["deployment"]),
    ("target", "#/$defs/boundary", tgt(deployment={"boundary": {}}), ["deployment", "boundary"]),
    ("target", "#/$defs/audit", tgt(audit={"sources": [AUDIT_SRC]}), ["audit"]),
    ("target", "#/$defs/auditSource", tgt(audit={"sources": [AUDIT_SRC]}), ["audit", "sources", 0]),
]

for kind in SCHEMAS:
    want = closed_objects(SCHEMAS[kind])
    have = {p for k, p, _, _ in PROBES if k == kind}
    check(f"every closed object of {kind}.schema.json is probed against the loader "
          f"(not probed: {sorted(want - have)}; probed but not closed: {sorted(have - want)})", want == have)

for kind, ptr, doc, path in PROBES:
    rc, _, _ = kproof_validate(doc)
    check(f"probe base of {kind} {ptr} is valid for the loader", rc == 0)
    errs = schema_errors(kind, doc)
    check(f"probe base of {kind} {ptr} is valid for the schema"
          + ("" if not errs else f" ({errs[0].message[:150]})"), not errs)


def loader_keys(doc, path):
    """The keys the loader reads in the object at path: its "expected one of" list for an
    unknown key (gates: the suite's gate names)."""
    rc, msg, _ = kproof_validate(put(doc, path, "zz_unknown", 1))
    m = re.search(r"expected one of: (.*)\)$", msg)
    if rc != 2 or not m:
        return None, msg
    return (set() if m.group(1) == "none" else set(m.group(1).split(", "))), msg


def key_mismatches(schemas, loader):
    """[(kind, pointer, only in schema, only in loader)] for the probed objects."""
    out = []
    for (kind, ptr), keys in loader.items():
        props = set(resolve(schemas[kind], ptr[1:]).get("properties", {}))
        if props != keys:
            out.append((kind, ptr, sorted(props - keys), sorted(keys - props)))
    return out


LOADER_KEYS = {}
for kind, ptr, doc, path in PROBES:
    keys, msg = loader_keys(doc, path)
    if check(f"the loader lists its keys at {kind} {ptr} ({msg[:100]})", keys is not None):
        LOADER_KEYS[(kind, ptr)] = keys
for kind, ptr, only_schema, only_loader in key_mismatches(SCHEMAS, LOADER_KEYS):
    not_ok(f"{kind} {ptr}: keys only in the schema {only_schema}, only in the loader {only_loader}")
check(f"the schemas' key sets are the loaders' ({len(LOADER_KEYS)} objects)",
      not key_mismatches(SCHEMAS, LOADER_KEYS))
# The comparison can fail: a schema without workload.rate, or with an extra key, differs.
mut = copy.deepcopy(SCHEMAS)
del mut["scenario"]["$defs"]["workload"]["properties"]["rate"]
mut["target"]["$defs"]["boundary"]["properties"]["zones"] = {"type": "array"}
mm = key_mismatches(mut, LOADER_KEYS)
check(f"... and the comparison catches a missing and an extra key ({mm})",
      ("scenario", "#/$defs/workload", [], ["rate"]) in mm and
      ("target", "#/$defs/boundary", ["zones"], []) in mm)


def schema_kind(schema, prop):
    """What the schema says a property is: (kind, details)."""
    if prop.get("$ref") == "#/$defs/duration":
        return "duration", None
    prop = deref(schema, prop)
    if "enum" in prop:
        return "enum", prop["enum"]
    if "const" in prop:
        return "const", None
    if "anyOf" in prop:
        first = prop["anyOf"][0]
        if "anyOf" in first:
            first = first["anyOf"][0]
        return first.get("type"), None
    t = prop.get("type")
    if t == "integer":
        return "integer", (prop.get("minimum"), prop.get("maximum"))
    if t == "number":
        lo = prop.get("exclusiveMinimum", prop.get("minimum"))
        return "number", (lo, prop.get("maximum"), "exclusiveMinimum" in prop)
    return t, None


def loader_kind(rc, msg, at, where):
    """What the loader's answer to {"zz_sub": 0} at a property says it is."""
    if rc == 0 or at != where:
        return "object", None  # accepted at this level (the error, if any, is inside it)
    m = re.match(r"expected an integer from (-?\d+) to (-?\d+), got", msg)
    if m:
        return "integer", (int(m.group(1)), int(m.group(2)))
    m = re.match(r"expected an integer of at least (-?\d+), got", msg)
    if m:
        return "integer", (int(m.group(1)), None)
    m = re.match(r"expected a positive number(?: up to (\S+))?, got", msg)
    if m:
        return "number", (0, float(m.group(1)) if m.group(1) else None, True)
    m = re.match(r"expected a number from (\S+) to (\S+), got", msg)
    if m:
        return "number", (float(m.group(1)), float(m.group(2)), False)
    m = re.match(r"expected a number of at least (\S+), got", msg)
    if m:
        return "number", (float(m.group(1)), None, False)
    for prefix, kind in (("expected a duration like", "duration"), ("expected one of ", "enum"),
                         ("expected a string", "string"), ("expected true or false", "boolean"),
                         ("expected an array", "array"), ("expected an object", "object")):
        if msg.startswith(prefix):
            return kind, None
    return "?", msg


def same_range(a, b):
    return len(a) == len(b) and all(
        (x is None and y is None) or (x is not None and y is not None and float(x) == float(y))
        if not isinstance(x, bool) else x == y for x, y in zip(a, b))


def enum_values(msg):
    m = re.match(r'expected one of (.*), got ', msg)
    return re.findall(r'"([^"]*)"', m.group(1)) if m else None


def json_path(path, key):
    s = "$"
    for p in list(path) + [key]:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if re.match(r"^[A-Za-z0-9_]+$", p) else f'["{p}"]')
    return s


AUDIT_EXEC = {"name": "a", "kind": "admin", "type": "exec", "command": "true", "format": "jsonl"}
PROP_BASE = {("target", "#/$defs/auditSource", k): tgt(audit={"sources": [AUDIT_EXEC]})
             for k in ("command", "timeout")}
n_props = 0
for kind, ptr, base_doc, path in PROBES:
    schema = SCHEMAS[kind]
    node = resolve(schema, ptr[1:])
    if ptr.endswith("/gates"):
        continue  # gate thresholds: below
    for key, prop in node.get("properties", {}).items():
        if key in ("$schema",):
            continue
        sk, sd = schema_kind(schema, prop)
        if sk == "const":
            continue
        n_props += 1
        where = json_path(path, key)
        # A member allowed only with another type of source is probed on a base of that type.
        doc = PROP_BASE.get((kind, ptr, key), base_doc)
        rc, msg, at = kproof_validate(put(doc, path, key, {"zz_sub": 0}))
        lk, ld = loader_kind(rc, msg, at, where)
        if sk in ("integer", "number"):
            check(f"{where} ({kind} {ptr}): the loader reads a {lk} {ld}, the schema a {sk} {sd}",
                  lk == sk and same_range(ld, sd))
        else:
            check(f"{where} ({kind} {ptr}): the loader reads a {lk}, the schema a {sk}", lk == sk)
        if sk == "enum":
            rc, msg, at = kproof_validate(put(doc, path, key, "zz-bad"))
            vals = enum_values(msg)
            check(f"{where}: the schema's enum is the loader's ({vals} vs {sd})", vals == list(sd))
        if sk == "duration":
            rc, msg, at = kproof_validate(put(doc, path, key, "999999h"))
            m = re.match(r"expected a duration from (\S+) to (\S+), got", msg)
            desc = prop.get("description", "")
            check(f"{where}: the description states the loader's range ({msg[:80]} / {desc[-40:]})",
                  m is not None and f"From {m.group(1)} to {m.group(2)}." in desc)
        if sk == "array":
            rc, msg, at = kproof_validate(put(doc, path, key, []))
            m = re.match(r"expected at least (\d+) item", msg)
            loader_min = 0 if rc == 0 else int(m.group(1)) if m else None
            check(f"{where}: minItems {deref(schema, prop).get('minItems', 0)} is the loader's ({loader_min})",
                  loader_min == deref(schema, prop).get("minItems", 0))
check(f"properties probed ({n_props})", n_props >= 100)

# Required keys: without any one member of a probe's (minimal) object, the loader and the schema
# both reject the document, or both accept it.
n_req = 0
for kind, ptr, doc, path in PROBES:
    node = doc
    for p in path:
        node = node[p]
    for key in list(node):
        d = copy.deepcopy(doc)
        sub = d
        for p in path:
            sub = sub[p]
        del sub[key]
        rc, msg, _ = kproof_validate(d)
        by_schema = bool(schema_errors(kind, d))
        n_req += 1
        check(f"{json_path(path, key)} ({kind} {ptr}): {'required' if rc == 2 else 'optional'} for the loader "
              f"({msg[:70]}), {'required' if by_schema else 'optional'} for the schema", (rc == 2) == by_schema)
check(f"members removed one by one ({n_req})", n_req >= 25)

# Enums the generic probe cannot reach, compared with the loader and kproof list.
sd = SCHEMAS["scenario"]["$defs"]
rc, msg, _ = kproof_validate(scn({"suite": "zz-bad"}))
check("suites[].suite enum is the loader's suite list",
      enum_values(msg) == sd["suiteEntry"]["properties"]["suite"]["enum"] == list(SUITES))
check("every suite has its entry schema", all(
    any(c["then"]["$ref"] == f"#/$defs/suite_{s}" for c in sd["suiteEntry"]["allOf"]) for s in SUITES))
for s, sdef in SUITES.items():
    checks = [c["id"] for c in sdef["checks"]]
    check(f"{s}: checks enum is kproof list's", sd[f"suite_{s}"]["properties"]["checks"]["items"]["enum"] == checks)
    gates = {g["name"]: g for g in sdef["gates"]}
    gprops = sd[f"suite_{s}"]["properties"]["gates"]["properties"]
    check(f"{s}: gates are kproof list's", set(gprops) == set(gates))
    for g in gates.values():
        rc, msg, at = kproof_validate(scn({"suite": s, "gates": {g["name"]: "zz"}}))
        m = re.match(r"expected a number of at least (\S+), got", msg)
        check(f"{s}: gate {g['name']} minimum is the loader's ({msg[:60]})",
              m is not None and float(m.group(1)) == gprops[g["name"]]["minimum"])
        # the gate needs its check in a checks list
        other = next((c for c in checks if c != g["check"]), None)
        if other:
            d = scn({"suite": s, "checks": [other], "gates": {g["name"]: 1}})
            rc, _, _ = kproof_validate(d)
            check(f"{s}: gate {g['name']} without its check {g['check']}: loader and schema reject it",
                  rc == 2 and bool(schema_errors("scenario", d)))
    # a check is valid in a checks list and as a controls key
    d = scn({"suite": s, "checks": [checks[0]]})
    d["controls"] = {checks[0]: ["sc-12"]}
    check(f"{s}: a check id in checks and controls is valid for loader and schema",
          kproof_validate(d)[0] == 0 and not schema_errors("scenario", d))
rows = [r["id"] for r in CAT["rows"]]
all_checks = [c["id"] for s in CAT["suites"] for c in s["checks"]]
check("controls keys are kproof list's rows and checks",
      SCHEMAS["scenario"]["properties"]["controls"]["propertyNames"]["enum"] == rows + all_checks)
rc, msg, _ = kproof_validate(scn({"suite": "failover", "options": {"allow": ["zz-bad"]}}))
m = re.search(r"\(expected (.*)\)$", msg)
anoms = re.split(r", | or ", m.group(1)) if m else None
check(f"failover.allow enum is the loader's anomaly list ({anoms})",
      anoms == sd["suite_failover"]["properties"]["options"]["properties"]["allow"]["items"]["enum"])
td = SCHEMAS["target"]["$defs"]
rc, msg, _ = kproof_validate(tgt(control={"type": "exec", "commands": {"zz-bad": "x"}}))
m = re.search(r"\(expected one of: (.*)\)$", msg)
ops = m.group(1).split(", ") if m else None
check(f"control.commands operations are the loader's ({ops})",
      ops == td["controlExec"]["properties"]["commands"]["propertyNames"]["enum"] ==
      td["controlExec"]["properties"]["timeouts"]["propertyNames"]["enum"])
for sect, types in (("control", ["none", "embedded", "exec"]), ("kms", ["none", "aws-kms"]),
                    ("storage", ["none", "dir", "s3"])):
    rc, msg, _ = kproof_validate(tgt(**{sect: {"type": "zz-bad"}}))
    check(f"{sect}.type enum is the loader's ({enum_values(msg)})",
          enum_values(msg) == SCHEMAS["target"]["properties"][sect]["properties"]["type"]["enum"])

# Conditional rules the schemas state, each accepted and rejected as the loader does.
COND = [
    ("scenario", scn({"suite": "semantics", "faults": [{"at": "1s", "action": "move_leader"}]}), 2),
    ("scenario", scn({"suite": "semantics", "faults": [{"at": "1s", "action": "move_leader", "to_broker": 2}]}), 0),
    ("scenario", scn({"suite": "semantics", "faults": [{"at": "1s", "action": "add_rtt"}]}), 2),
    ("scenario", scn({"suite": "semantics", "faults": [{"at": "1s", "action": "push_errors"}]}), 2),
    ("scenario", scn({"suite": "semantics", "faults": [{"at": "1s", "action": "kill_zone"}]}), 2),
    ("scenario", scn({"suite": "semantics", "faults": [{"at": "1.5s", "action": "kill_zone", "zone": "a"}]}), 0),
    ("scenario", scn({"suite": "semantics", "workload": {"duration": "1.5.0s"}}), 2),
    ("scenario", scn({"suite": "semantics", "workload": {"duration": "1e3s"}}), 2),
    ("scenario", scn({"suite": "semantics", "workload": {"duration": "500ms", "rate": 0}}), 2),
    ("scenario", scn({"suite": "revocation", "options": {"revoke": "revoke-grant"}}), 2),
    ("scenario", scn({"suite": "revocation", "options": {"revoke": "revoke-grant", "grant_id": "g"}}), 0),
    ("scenario", dict(scn({"suite": "semantics"}), controls={"kafka-semantics": []}), 2),
    ("scenario", dict(scn({"suite": "semantics"}), controls={"kafka-semantics": ["sc-12", "sc-12"]}), 2),
    ("scenario", dict(scn({"suite": "semantics"}), controls={"kafka-semantics": ["12"]}), 2),
    ("scenario", dict(scn({"suite": "semantics"}), controls={"nosuch-row": ["sc-12"]}), 2),
    ("scenario", dict(scn({"suite": "semantics"}), **{"$schema": 5}), 2),
    ("target", {"name": "t", "control": {"type": "embedded", "brokers": 2, "racks": ["a", "b"]}}, 0),
    ("target", {"name": "t", "control": {"type": "embedded", "brokers": 2, "racks": ["a", "b", "c"]}}, 2),
    ("target", {"name": "t", "control": {"type": "embedded", "racks": ["a", "b", "c"]}}, 0),
    ("target", {"name": "t", "control": {"type": "none"}}, 2),
    ("target", {"name": "t", "control": {"type": "exec"}}, 2),
    ("target", {"name": "t bad", "kafka": {"bootstrap.servers": "a:1"}}, 2),
    ("target", tgt(kms=dict(KMS_AWS, region="EU West")), 2),
    ("target", tgt(kms=dict(KMS_AWS, endpoint="kms.local")), 2),
    ("target", tgt(kms={"type": "none", "region": "eu-west-1"}), 2),
    ("target", tgt(kms={k: v for k, v in KMS_AWS.items() if k != "key"}), 2),
    ("target", tgt(storage=dict(S3, bucket="a/b")), 2),
    ("target", tgt(storage={"type": "dir"}), 2),
    ("target", tgt(storage={"type": "dir", "log_dirs": ["/x"], "bucket": "b"}), 2),
    ("target", tgt(deployment={"boundary": {"cidrs": ["fd00::/8", "10.0.0.0/8"],
                                            "hosts": ["*.example.com", "::1"],
                                            "regions": ["eu-west-1"], "allowed_endpoints": ["kms.eu-west-1.amazonaws.com"]}}), 0),
    ("target", tgt(deployment={"boundary": {"cidrs": ["fd00::/129"]}}), 2),
    ("target", tgt(deployment={"zones": []}), 2),
    ("target", tgt(control=dict(EXEC, commands={"kill_broker": ""})), 2),
    ("target", tgt(control=dict(EXEC, timeouts={"kill_broker": "soon"})), 2),
    ("target", dict(TGT, **{"$schema": "../schemas/target.schema.json"}), 0),
]
for kind, doc, want in COND:
    rc, msg, _ = kproof_validate(doc)
    errs = schema_errors(kind, doc)
    check(f"{json.dumps(doc)[:150]}: loader exits {want} (got {rc} {msg[:80]}), schema "
          f"{'rejects' if want else 'accepts'}" + (f" ({errs[0].message[:80]})" if errs and not want else ""),
          rc == want and bool(errs) == bool(want))

print(f"# kproof validate ran {N_RUN} times")
print(f"{PASSED} passed, {FAILED} failed")
sys.exit(1 if FAILED else 0)
