"""Validates OSCAL JSON documents against an OSCAL JSON schema (draft-07).

usage: validate.py SCHEMA FILE...   prints "FILE: valid" or each error with its JSON path; exit 1 if
any file is invalid. The schema is used unchanged; its "pattern" keywords are evaluated with the
`regex` module because they use Unicode property escapes (\\p{L}, \\p{N}) that Python's re lacks.
"""
import json
import sys

import jsonschema
import regex


def pattern(validator, patrn, instance, schema):
    if validator.is_type(instance, "string") and not regex.search(patrn, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": pattern})
    formats = jsonschema.FormatChecker()
    formats.checks("regex", raises=regex.error)(regex.compile)
    # The schema itself must be a valid draft-07 schema (its regexes compiled by regex).
    meta = jsonschema.Draft7Validator(jsonschema.Draft7Validator.META_SCHEMA, format_checker=formats)
    meta.validate(schema)
    v = cls(schema, format_checker=formats)
    bad = 0
    for path in sys.argv[2:]:
        doc = json.load(open(path, encoding="utf-8"))
        errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors[:20]:
            print(f"{path}: {e.json_path}: {e.message[:300]}")
        if errors:
            bad += 1
        else:
            print(f"{path}: valid")
    sys.exit(1 if bad else 0)


main()
