"""Diffs of text and fields between two versions."""

from apps.documents.diff import FieldChange, fields_diff, flatten, text_diff


def kinds(lines):
    return [(line.kind, line.text) if line else None for line in lines]


def test_a_changed_line_shows_as_removed_then_added():
    lines = text_diff("a\nb\nc", "a\nB\nc")
    assert kinds(lines) == [
        ("same", "a"),
        ("removed", "b"),
        ("added", "B"),
        ("same", "c"),
    ]
    assert lines[1].old_no == 2 and lines[2].new_no == 2


def test_far_apart_changes_are_separated_by_a_gap():
    old = "\n".join(str(i) for i in range(30))
    new = old.replace("\n2\n", "\nTWO\n").replace("\n27\n", "\nTWENTY-SEVEN\n")
    lines = text_diff(old, new, context=1)
    assert None in lines
    assert ("added", "TWO") in kinds(lines) and ("added", "TWENTY-SEVEN") in kinds(lines)
    assert ("same", "15") not in kinds(lines)


def test_identical_texts_have_no_diff():
    assert text_diff("same\ntext", "same\ntext") == []


def test_flatten_names_every_leaf_by_path():
    assert flatten({"m": {"items": [{"name": "ctr"}, {"name": "auc"}]}, "e": []}) == {
        "m.items.0.name": "ctr",
        "m.items.1.name": "auc",
        "e": [],
    }


def test_fields_diff_lists_added_removed_and_changed_paths():
    old = {"serving": {"mode": "batch", "schedule": "daily"}, "x": {"n": 1}}
    new = {"serving": {"mode": "online"}, "x": {"n": 1, "m": [1, 2]}}
    assert fields_diff(old, new) == [
        FieldChange("serving.mode", "changed", "batch", "online"),
        FieldChange("serving.schedule", "removed", "daily", ""),
        FieldChange("x.m.0", "added", "", "1"),
        FieldChange("x.m.1", "added", "", "2"),
    ]
