"""``kg.store.results.table``: SELECT results as the aligned text table ``kg sparql`` prints."""

from __future__ import annotations

from kg.store.results import table


def test_a_language_tag_gets_a_column_of_its_own() -> None:
    tsv = (
        b'?name\t?kind\t?n\n"AWS"\t"Not stated"@en\t3\n'
        b'"Azure"\t"Cloud"@en-GB\t\n<https://w3id.org/aikg/id/x>\t"plain"\t\n'
    )
    assert table(tsv, {"id": "https://w3id.org/aikg/id/"}).splitlines() == [
        "name   kind        lang(kind)  n",
        "-----  ----------  ----------  -",
        "AWS    Not stated  en          3",
        "Azure  Cloud       en-gb",
        "id:x   plain",
        "(3 rows)",
    ]


def test_no_language_column_without_tagged_values() -> None:
    assert table(b'?x\n"a"\n').splitlines() == ["x", "-", "a", "(1 row)"]
