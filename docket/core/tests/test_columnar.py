"""Reading CSV files into DuckDB: row numbers stay exact whichever way the file is read."""

from docket.core.columnar import duck, load_csv

HEADER = ["a", "b"]


def _load(data: bytes) -> tuple[list[tuple[int, str, str]], list[tuple[int | None, str]]]:
    with duck() as con:
        errors = load_csv(con, data, HEADER)
        rows = con.execute("SELECT n, a, b FROM raw ORDER BY n").fetchall()
    return rows, [(e.row, e.message) for e in errors]


def test_one_record_per_line_numbers_rows_from_two():
    rows, errors = _load(b"a,b\n1, x \n2,\n3,z")
    assert rows == [(2, "1", "x"), (3, "2", ""), (4, "3", "z")]
    assert errors == []


def test_bom_and_crlf():
    rows, errors = _load("\ufeffa,b\r\n1,甲\r\n2,乙\r\n".encode())
    assert rows == [(2, "1", "甲"), (3, "2", "乙")]
    assert errors == []


def test_quoted_commas_and_line_breaks_keep_record_numbers():
    rows, errors = _load(b'a,b\n1,"x, y"\n2,"two\nlines"\n3,"say ""hi"""\n')
    assert rows == [(2, "1", "x, y"), (3, "2", "two\nlines"), (4, "3", 'say "hi"')]
    assert errors == []


def test_blank_lines_are_skipped_but_counted():
    rows, errors = _load(b"a,b\n1,x\n\n3,z\n\n")
    assert rows == [(2, "1", "x"), (4, "3", "z")]
    assert errors == []


def test_rows_of_the_wrong_width_are_reported_with_their_number():
    rows, errors = _load(b"a,b\n1,x\n2\n3,y,extra\n4,z\n")
    assert rows == [(2, "1", "x"), (5, "4", "z")]
    assert errors == [(3, "1 fields where the header has 2"), (4, "3 fields where the header has 2")]


def test_header_only():
    rows, errors = _load(b"a,b\n")
    assert rows == [] and errors == []
