"""The project's own generic dbt tests (transforms/tests/generic; dbt_utils is unreachable
here), their SQL rendered as dbt renders a test's body and run on DuckDB: each one passes
on good rows and returns exactly the rows that break it. A test that can never fail would
pass every pipeline run unnoticed, so this is the only place that shows they can."""

import re
from pathlib import Path

import duckdb
import jinja2
import pytest

GENERIC_DIR = Path(__file__).resolve().parents[2] / "transforms" / "tests" / "generic"
_TEST_BLOCK = re.compile(r"{%-?\s*test\s+(\w+)\((.*?)\)\s*-?%}(.*?){%-?\s*endtest\s*-?%}", re.S)


def generic_test_bodies() -> dict[str, str]:
    """Each `{% test name(...) %}` of the folder: name -> its body."""
    return {
        match.group(1): match.group(3)
        for path in GENERIC_DIR.glob("*.sql")
        for match in _TEST_BLOCK.finditer(path.read_text())
    }


def generic_test(name: str, **arguments) -> str:
    """The body of the generic test `name`, rendered with `model` and `arguments`."""
    return jinja2.Template(generic_test_bodies()[name]).render(model="model", **arguments)


@pytest.fixture
def connection():
    connection = duckdb.connect()
    connection.execute(
        "create table model as select * from (values "
        "(1, 'a', 10), (2, 'b', 20), (3, 'c', 30)) as rows(id, code, amount)"
    )
    yield connection
    connection.close()


def failing(connection, sql: str) -> list[tuple]:
    return sorted(connection.execute(sql).fetchall(), key=repr)


def test_every_generic_test_file_holds_a_test_this_module_runs():
    assert set(generic_test_bodies()) == {
        "not_null_columns",
        "unique_combination_of_columns",
        "expression_is_true",
    }


def test_not_null_columns_fails_each_row_with_a_null_in_any_listed_column(connection):
    sql = generic_test("not_null_columns", columns=["id", "code"])
    assert failing(connection, sql) == []
    connection.execute("insert into model values (4, null, 40), (null, 'e', 50), (6, 'f', null)")
    # Row 6's null is in a column the test does not list.
    assert failing(connection, sql) == sorted([(4, None, 40), (None, "e", 50)], key=repr)


def test_not_null_columns_of_one_column(connection):
    sql = generic_test("not_null_columns", columns=["amount"])
    connection.execute("insert into model values (4, null, null)")
    assert failing(connection, sql) == [(4, None, None)]


def test_unique_combination_of_columns_fails_a_repeated_combination(connection):
    sql = generic_test("unique_combination_of_columns", combination_of_columns=["id", "code"])
    connection.execute("insert into model values (1, 'z', 10)")
    assert failing(connection, sql) == []
    connection.execute("insert into model values (1, 'a', 99)")
    assert failing(connection, sql) == [(1, "a", 2)]


def test_expression_is_true_fails_the_rows_where_it_is_false(connection):
    sql = generic_test("expression_is_true", expression="amount >= 20")
    assert failing(connection, sql) == [(1, "a", 10)]
