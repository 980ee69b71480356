from click.testing import CliRunner

from kg.cli import main


def test_shipped_graph_conforms() -> None:
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "Conforms" in result.output
