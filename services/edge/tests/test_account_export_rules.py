"""The account export's pure rules: archive paths stay under files/, CSV cells from JSON values."""

import pytest

from services.edge.account_export import archive_file_path, csv_cell

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(("given", "expected"), [
    ("vehicles/1/image.png", "files/vehicles/1/image.png"),
    ("../../etc/passwd", "files/etc/passwd"),
    ("/absolute/x", "files/absolute/x"),
    ("a/./b/../c", "files/a/c"),
])
def test_a_service_path_never_leaves_files(given, expected):
    assert archive_file_path(given) == expected


def test_csv_cells():
    assert [csv_cell(v) for v in (None, True, False, 3, 2.5, "x", ["a", 1], {"k": None})] == \
        ["", "true", "false", "3", "2.5", "x", '["a",1]', '{"k":null}']
