"""Ways to smuggle an outgoing request past the /sparql guard: none may reach the listener.

Each form is sent to /sparql over the embedded store and over a real Oxigraph server (the
remote store, where the guard is the only defence). A loopback listener stands in for the
target; it must receive no connection. Whatever the form, the answer is a clear 4xx (or a
normal answer for forms that name an address without fetching it), never a 5xx.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.listener import Listener

TOKEN = "test-token-0123456789"
PATTERN = "{ ?s ?p ?o }"
SEPARATORS = {
    "cr": "\r",
    "ff": "\f",
    "vt": "\v",
    "nel": "\x85",
    "ls": "\u2028",
    "ps": "\u2029",
    "nul": "\x00",
}


def query_forms(t: str) -> dict[str, str]:
    """Read queries that would call ``t`` (http://127.0.0.1:PORT) if they ran as written."""
    service = f"SERVICE <{t}/x> {PATTERN}"
    forms = {
        f"comment ended by {name}": f"SELECT * WHERE {{ #{sep}{service}\n}}"
        for name, sep in SEPARATORS.items()
    }
    forms |= {
        "comment ended by escaped CR": f"SELECT * WHERE {{ #\\u000D{service}\n}}",
        "comment ended by escaped LF": f"SELECT * WHERE {{ #\\u000A{service}\n}}",
        "comment then LF": f"SELECT * WHERE {{ # note\n{service} }}",
        "plain": f"SELECT * WHERE {{ {service} }}",
        "no spaces": f"SELECT*WHERE{{SERVICE<{t}/x>{{?s ?p ?o}}}}",
        "lower case": f"select * where {{ service <{t}/x> {PATTERN} }}",
        "mixed case": f"SeLeCt * WhErE {{ sErViCe <{t}/x> {PATTERN} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{t}/x> {PATTERN} }}",
        "escaped keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{t}/x> {PATTERN} }}",
        "escaped keyword, long form": f"SELECT * WHERE {{ \\U00000053ervice <{t}/x> {PATTERN} }}",
        "escape in the IRI": f"SELECT * WHERE {{ SERVICE <\\u0068{t[1:]}/x> {PATTERN} }}",
        "escape yielding a backslash": (
            f'SELECT * WHERE {{ BIND("\\u005C" AS ?a) {service} BIND("x" AS ?b) }}'
        ),
        "escape yielding a quote": (
            f'SELECT * WHERE {{ BIND("\\u0022 AS ?a) {service} BIND(" AS ?b) }}'
        ),
        "prefixed name after SERVICE": f"PREFIX : <{t}/> SELECT * WHERE {{ SERVICE:x {PATTERN} }}",
        "prefix named service": (
            f"PREFIX service: <{t}/> SELECT * WHERE {{ SERVICE service:x {PATTERN} }}"
        ),
        "variable endpoint": f"SELECT * WHERE {{ BIND(<{t}/x> AS ?e) SERVICE ?e {PATTERN} }}",
        "in OPTIONAL": f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {service} }} }}",
        "in a subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {service} }} }} }}",
        "in EXISTS": f"ASK {{ FILTER EXISTS {{ {service} }} }}",
        "in NOT EXISTS": f"SELECT * WHERE {{ ?a ?b ?c FILTER NOT EXISTS {{ {service} }} }}",
        "in MINUS": f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ {service} }} }}",
        "in UNION": f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ {service} }} }}",
        "in GRAPH": f"SELECT * WHERE {{ GRAPH ?g {{ {service} }} }}",
        "in CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {service} }}",
        "in DESCRIBE": f"DESCRIBE ?s WHERE {{ {service} }}",
        "deep nesting": "SELECT * WHERE { " + "OPTIONAL { " * 30 + service + " }" * 30 + " }",
        "byte order mark": f"\ufeffSELECT * WHERE {{ {service} }}",
        "long, SERVICE at the end": "SELECT * WHERE { " + "?s ?p ?o . " * 2500 + service + " }",
        "long, over the length limit": f"PREFIX : <{t}/> SELECT * WHERE {{ "
        + "?s ?p ?o . " * 6000
        + f"SERVICE:x {PATTERN} }}",
        "long, prefixed SERVICE": f"PREFIX : <{t}/> SELECT * WHERE {{ "
        + "?s ?p ?o . " * 2000
        + f"SERVICE:x {PATTERN} }}",
        "triple term (outside SPARQL 1.1)": (
            f"SELECT * WHERE {{ << ?s ?p ?o >> ?q ?r . {service} }}"
        ),
        "FROM names an address": f"SELECT * FROM <{t}/g> WHERE {{ ?s ?p ?o }}",
        "FROM NAMED names an address": f"SELECT * FROM NAMED <{t}/g> WHERE {{ ?s ?p ?o }}",
        "DESCRIBE an address": f"DESCRIBE <{t}/x>",
        "function IRI": f"SELECT * WHERE {{ BIND(<{t}/f>(1) AS ?x) }}",
    }
    return forms


def update_forms(t: str) -> dict[str, str]:
    """Updates (sent with the write token) that would call ``t`` if they ran as written."""
    return {
        "LOAD after a CR comment": f"#\rLOAD <{t}/y> INTO GRAPH <urn:x>",
        "LOAD after a FF comment": f"#\fLOAD <{t}/y> INTO GRAPH <urn:x>\n",
        "LOAD after an escaped CR": f"#\\u000DLOAD <{t}/y> INTO GRAPH <urn:x>\n",
        "LOAD": f"LOAD <{t}/y>",
        "LOAD SILENT, lower case": f"load silent <{t}/y> into graph <urn:x>",
        "escaped LOAD": f"\\u004COAD <{t}/y>",
        "LOAD after INSERT DATA": f"INSERT DATA {{ <urn:a> <urn:b> 'x' }} ; LOAD <{t}/y>",
        "SERVICE in WHERE": f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{t}/s> {PATTERN} }}",
        "SERVICE in DELETE WHERE": (
            f"DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{t}/s> {{}} }} }}"
        ),
        "SERVICE after a CR comment": (
            f"INSERT {{ <urn:a> <urn:b> 1 }} WHERE {{ #\rSERVICE <{t}/s> {PATTERN}\n}}"
        ),
        "USING an address": f"INSERT {{ <urn:a> <urn:b> 1 }} USING <{t}/g> WHERE {{ ?s ?p ?o }}",
        "CLEAR an address": f"CLEAR SILENT GRAPH <{t}/g>",
        "ADD from an address": f"ADD SILENT <{t}/a> TO <urn:test:b>",
        "COPY from an address": f"COPY SILENT <{t}/a> TO <urn:test:b>",
        "MOVE from an address": f"MOVE SILENT <{t}/a> TO <urn:test:b>",
        "CREATE an address": f"CREATE SILENT GRAPH <{t}/g>",
        "WITH an address": f"WITH <{t}/g> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    }


#: Forms that name an address without asking the store to fetch it: they may run.
HARMLESS = {
    "FROM names an address",
    "FROM NAMED names an address",
    "DESCRIBE an address",
    "USING an address",
    "CLEAR an address",
    "ADD from an address",
    "COPY from an address",
    "MOVE from an address",
    "CREATE an address",
    "WITH an address",
}


@pytest.fixture
def client(article_store: Store) -> Iterator[AppClient]:
    app = create_app(Settings(write_token=TOKEN), store=article_store)
    with AppClient(app) as c:
        yield c


def test_no_query_form_reaches_the_listener(client: AppClient, listener: Listener) -> None:
    target = f"http://127.0.0.1:{listener.port}"
    answers = {}
    for name, text in query_forms(target).items():
        r = client.post("/sparql", data={"query": text})
        answers[name] = (r.status_code, r.json()["error"]["message"] if r.is_error else "")
    for name, (status, message) in answers.items():
        assert status < 500, (name, status, message)
        if name not in HARMLESS:
            assert status == 400, (name, status)
            assert message, name
    assert listener.close() == 0


def test_no_update_form_reaches_the_listener(client: AppClient, listener: Listener) -> None:
    target = f"http://127.0.0.1:{listener.port}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for name, text in update_forms(target).items():
        r = client.post("/sparql", data={"update": text}, headers=auth)
        assert r.status_code < 500, (name, r.status_code, r.text)
        if name not in HARMLESS:
            assert r.status_code == 400, (name, r.status_code)
    assert listener.close() == 0


def test_the_refusals_say_why(client: AppClient) -> None:
    t = "http://127.0.0.1:9"

    def message(text: str) -> str:
        r = client.post("/sparql", data={"query": text})
        assert r.status_code == 400, text
        return str(r.json()["error"]["message"])

    forms = query_forms(t)
    assert "carriage return" in message(forms["comment ended by cr"])
    assert "SERVICE is not allowed" in message(forms["escaped keyword"])
    assert "SERVICE is not allowed" in message(forms["prefixed name after SERVICE"])
    assert "backslash" in message(forms["escape yielding a backslash"])
    assert "setting max_query_length" in message(forms["long, over the length limit"])
    assert "outside SPARQL 1.1" in message(forms["triple term (outside SPARQL 1.1)"])
    assert "U+0000" in message(forms["comment ended by nul"])
