"""``kg validate``: exit 0 conforms, 1 does not (naming the node), 2 unusable input (with the line).

Checked in-process through click's runner and, for the main paths, as a real ``kg`` subprocess.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdflib import URIRef
from rdflib.namespace import SH

from kg.cli.commands import main
from kg.model import paths, rdf
from kg.validation.quotations import QuotationCheck
from kg.validation.validate import shapes_graph

KG = str(Path(sys.executable).with_name("kg"))
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

VALID_TURTLE = """\
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix kg: <https://w3id.org/aikg/def#> .
<https://example.org/org/acme> a org:FormalOrganization ;
    rdfs:label "Acme" ;
    org:classification kg:Publisher .
"""

#: One malformed document per format, and the line its error is on.
MALFORMED = {
    "bad.ttl": ('@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', 3),
    "bad.trig": (
        "@prefix ex: <http://e/> .\nex:g {\n  ex:a ex:b ex:c .\n  ex:a ex:b ex:c ex:d .\n}\n",
        4,
    ),
    "bad.nt": ("<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> .\n", 2),
    "bad.nq": (
        "<http://e/a> <http://e/b> <http://e/c> <http://e/g> .\n"
        "<http://e/a> <http://e/b> <http://e/c> <http://e/g> <x> .\n",
        2,
    ),
    "bad.jsonld": ('{\n  "@id": "http://e/a",\n  "http://e/b": [1, 2,\n}\n', 4),
    "bad.rdf": (
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">\n'
        '  <rdf:Description rdf:about="http://e/a">\n'
        '    <ex:b rdf:resource="http://e/c"/>\n'
        "  </rdf:Descriptio>\n"
        "</rdf:RDF>\n",
        5,
    ),
}


def validate(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["validate", *map(str, args)])


def kg_validate(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KG, "validate", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- conforming data


def test_shipped_graph_conforms() -> None:
    result = validate()
    assert result.exit_code == 0, result.output
    assert "Conforms" in result.stdout


def test_quotations_are_counted_and_unchecked_ones_named(tmp_path: Path) -> None:
    result = validate()
    assert "0 quote a source whose text kg does not hold (not checked)" in result.stdout
    assert re.search(r"Quotations: [1-9]\d* citation\(s\) quote a source whose text", result.stdout)
    unheld = write(
        tmp_path / "unheld.ttl",
        """@prefix kg: <https://w3id.org/aikg/def#> . @prefix prov: <http://www.w3.org/ns/prov#> .
        @prefix schema: <https://schema.org/> . @prefix org: <http://www.w3.org/ns/org#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://example.org/s> a schema:NewsArticle ; rdfs:label "S" ;
            schema:publisher <https://example.org/p> .
        <https://example.org/p> a org:FormalOrganization ; rdfs:label "P" ;
            org:classification kg:Publisher .
        <https://example.org/c> a kg:Citation ; kg:about <https://example.org/p> ;
            prov:wasDerivedFrom <https://example.org/s> ; kg:quote "P says so." ;
            kg:verbatim true .""",
    )
    result = validate(unheld)
    assert result.exit_code == 0, result.output
    assert "1 quote a source whose text kg does not hold (not checked)" in result.stdout
    assert "not checked: <https://example.org/c> (source <https://example.org/s>)" in result.stdout


def test_shipped_graph_conforms_as_a_subprocess_outside_the_repo(tmp_path: Path) -> None:
    done = kg_validate(cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Conforms" in done.stdout


def test_shipped_file_given_by_path_conforms_in_json(tmp_path: Path) -> None:
    result = validate("--output", "json", paths.ARTICLE_GRAPH)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"conforms": True, "violations": []}


def test_facts_spread_over_several_files_are_validated_together(tmp_path: Path) -> None:
    head = VALID_TURTLE.rpartition("    org:classification kg:Publisher .\n")[0]
    first = write(tmp_path / "a.ttl", head.rstrip(" ;\n") + " .\n")
    second = write(
        tmp_path / "b.nt",
        "<https://example.org/org/acme> <http://www.w3.org/ns/org#classification> "
        "<https://w3id.org/aikg/def#Publisher> .\n",
    )
    assert validate(first).exit_code == 1
    result = validate(first, second)
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- a required property removed


def required_properties() -> list[tuple[str, URIRef, URIRef, str]]:
    """(node, path, shape, message) for every minCount >= 1, on a node of the shipped graph."""
    shapes = shapes_graph()
    quads = rdf.parse_file(paths.ARTICLE_GRAPH)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    typed: dict[str, list[str]] = {}
    for q in quads:
        if q.predicate == rdf_type and isinstance(q.subject, ox.NamedNode):
            typed.setdefault(str(q.object.value), []).append(q.subject.value)
    cases = []
    for shape in sorted(shapes.subjects(RDF_TYPE, SH.NodeShape)):
        nodes = sorted(
            n for c in shapes.objects(shape, SH.targetClass) for n in typed.get(str(c), [])
        )
        for prop in shapes.objects(shape, SH.property):
            if int(shapes.value(prop, SH.minCount) or 0) >= 1 and nodes:  # type: ignore[call-overload]
                path = URIRef(str(shapes.value(prop, SH.path)))
                cases.append(
                    (nodes[0], path, URIRef(str(shape)), str(shapes.value(prop, SH.message)))
                )
    return cases


REQUIRED = required_properties()


def without(node: str, path: URIRef) -> bytes:
    """The shipped graph as N-Quads, with every value of ``path`` on ``node`` removed."""
    quads = [
        q
        for q in rdf.parse_file(paths.ARTICLE_GRAPH)
        if not (q.subject == ox.NamedNode(node) and q.predicate == ox.NamedNode(str(path)))
    ]
    assert len(quads) < len(rdf.parse_file(paths.ARTICLE_GRAPH)), "nothing was removed"
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def test_every_shape_with_instances_has_its_required_properties_checked() -> None:
    shapes_with_required = {shape for _, _, shape, _ in REQUIRED}
    assert len(shapes_with_required) >= 12
    assert len(REQUIRED) >= 30


@pytest.mark.parametrize(
    "node,path,shape,message",
    REQUIRED,
    ids=[
        f"{s.rsplit('#', 1)[-1]}-{p.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}"
        for _, p, s, _ in REQUIRED
    ],
)
def test_removing_a_required_property_fails_naming_the_node(
    tmp_path: Path, node: str, path: URIRef, shape: URIRef, message: str
) -> None:
    broken = tmp_path / "broken.nq"
    broken.write_bytes(without(node, path))
    result = validate(broken)
    assert result.exit_code == 1, result.output
    assert f"<{node}>" in result.stdout
    assert message in result.stdout


def test_removing_a_required_property_fails_as_a_subprocess(tmp_path: Path) -> None:
    node = "https://w3id.org/aikg/id/org/openai"
    broken = tmp_path / "broken.nq"
    broken.write_bytes(without(node, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    done = kg_validate(broken, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert f"<{node}>" in done.stdout
    assert "An organisation needs exactly one name (rdfs:label)" in done.stdout


# ---------------------------------------------------------------- reports


def test_text_report_groups_violations_by_node(tmp_path: Path) -> None:
    data = write(
        tmp_path / "two.ttl",
        VALID_TURTLE.replace('rdfs:label "Acme" ;', 'rdfs:label "Acme", "ACME" ;').replace(
            "kg:Publisher", "kg:Active"
        )
        + '<https://example.org/org/other> a org:FormalOrganization ; rdfs:label "Other" .\n',
    )
    result = validate(data)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Does not conform: 3 violation(s) on 2 node(s)."
    acme = lines.index("<https://example.org/org/acme>")
    other = lines.index("<https://example.org/org/other>")
    acme_block = "\n".join(lines[acme:other] if acme < other else lines[acme:])
    assert "org:classification = https://w3id.org/aikg/def#Active" in acme_block
    assert "rdfs:label" in acme_block
    assert "kg:OrganizationKinds" in acme_block
    assert result.stdout.count("<https://example.org/org/acme>") == 1


def test_json_report_is_machine_readable(tmp_path: Path) -> None:
    data = write(tmp_path / "bad.ttl", VALID_TURTLE.replace('"Acme"', '"Acme"@en'))
    result = validate("--output", "json", data)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["violations"] == [
        {
            "focusNode": "https://example.org/org/acme",
            "path": "http://www.w3.org/2000/01/rdf-schema#label",
            "value": '"Acme"@en',
            "message": "An organisation needs exactly one name (rdfs:label), "
            "a non-empty plain string.",
            "constraintComponent": "DatatypeConstraintComponent",
            "sourceShape": "https://w3id.org/aikg/shapes#OrganizationShape"
            "|http://www.w3.org/2000/01/rdf-schema#label",
            "severity": "Violation",
        }
    ]


# ---------------------------------------------------------------- unusable input: exit 2


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_exits_2_with_the_line(tmp_path: Path, name: str) -> None:
    text, line = MALFORMED[name]
    result = validate(write(tmp_path / name, text))
    assert result.exit_code == 2, result.output
    assert f"{name}, line {line}" in result.stderr
    assert result.stdout == ""


def test_malformed_file_exits_2_with_the_line_as_a_subprocess(tmp_path: Path) -> None:
    text, line = MALFORMED["bad.ttl"]
    done = kg_validate(write(tmp_path / "bad.ttl", text), cwd=tmp_path)
    assert done.returncode == 2
    assert f"bad.ttl, line {line}" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("order", ["good-first", "bad-first"])
def test_no_partial_report_when_one_of_several_files_is_malformed(
    tmp_path: Path, order: str
) -> None:
    good = write(tmp_path / "good.ttl", VALID_TURTLE)
    bad = write(tmp_path / "bad.nt", MALFORMED["bad.nt"][0])
    files = [good, bad] if order == "good-first" else [bad, good]
    result = validate(*files)
    assert result.exit_code == 2
    assert "bad.nt, line 2" in result.stderr
    assert result.stdout == ""


def test_json_ld_that_is_not_valid_json_ld_exits_2(tmp_path: Path) -> None:
    result = validate(write(tmp_path / "odd.jsonld", '{"@id": 5}'))
    assert result.exit_code == 2
    assert "odd.jsonld" in result.stderr
    assert result.stdout == ""


def test_format_option_overrides_the_extension(tmp_path: Path) -> None:
    turtle_named_nt = write(tmp_path / "data.nt", VALID_TURTLE)
    assert validate(turtle_named_nt).exit_code == 2  # N-Triples has no @prefix
    result = validate("--format", "turtle", turtle_named_nt)
    assert result.exit_code == 0, result.output


def test_unknown_extension_exits_2_with_a_hint(tmp_path: Path) -> None:
    result = validate(write(tmp_path / "data.txt", VALID_TURTLE))
    assert result.exit_code == 2
    assert "--format" in result.stderr
    assert result.stdout == ""
    assert validate("--format", "ttl", tmp_path / "data.txt").exit_code == 0


def test_unknown_format_name_exits_2_listing_the_formats(tmp_path: Path) -> None:
    result = validate("--format", "n3", write(tmp_path / "data.ttl", VALID_TURTLE))
    assert result.exit_code == 2
    assert "turtle" in result.stderr and "rdfxml" in result.stderr


def test_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    data = tmp_path / "bom.ttl"
    data.write_bytes(b"\xef\xbb\xbf" + VALID_TURTLE.encode())
    result = validate(data)
    assert result.exit_code == 0, result.output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = validate(tmp_path / "absent.ttl")
    assert result.exit_code == 2
    assert "absent.ttl" in result.stderr


def test_many_unchecked_citations_are_counted_not_listed() -> None:
    check = QuotationCheck()
    check.counts["none"] = 16_050
    check.unchecked = [(f"https://e.org/c{n:05}", f"https://e.org/s{n % 3}") for n in range(16_050)]
    lines = check.to_text().splitlines()
    assert "16,050 quote a source whose text kg does not hold" in lines[0]
    assert (
        lines[1] == "  16,050 citations not checked (no source text), of 3 source(s); the first 5:"
    )
    assert lines[2] == "  not checked: <https://e.org/c00000> (source <https://e.org/s0>)"
    assert lines[7] == "  ... and 16,045 more"
    assert len(lines) == 8
