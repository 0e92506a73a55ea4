"""Reading YAML as a person wrote it, and refusing what would be dangerous."""

from __future__ import annotations

import time

import pytest

from carta.load.source import MAX_FILE_BYTES, read_source


def read(tmp_path, text: str | bytes):
    file = tmp_path / "x.yaml"
    if isinstance(text, str):
        text = text.encode("utf-8")
    file.write_bytes(text)
    return read_source(file, "x.yaml")


def test_scalars_stay_the_text_that_was_written(tmp_path):
    source, problems = read(tmp_path, "opens: 8:30\nonline: no\ncode: 0123\nyear: 2011-01-01\n"
                                      "n: 1e3\nempty:\nnothing: ~\n")
    assert problems == []
    assert source.data == {"opens": "8:30", "online": "no", "code": "0123",
                           "year": "2011-01-01", "n": "1e3", "empty": None, "nothing": None}


def test_quoted_null_word_stays_text(tmp_path):
    source, _ = read(tmp_path, 'note: "null"\n')
    assert source.data == {"note": "null"}


def test_positions_are_remembered_per_key_path(tmp_path):
    source, _ = read(tmp_path, "a:\n  b:\n    - x: 1\n    - x: 2\n")
    assert source.mark(("a", "b", 1, "x")) == (4, 7)
    assert source.mark(("a", "b", 1, "missing")) == (4, 7)


def test_duplicate_key_is_refused_at_its_line(tmp_path):
    _, problems = read(tmp_path, "title: A\ncode: B1\ntitle: B\n")
    assert [(p.line, p.message) for p in problems] == [
        (3, "key 'title' appears twice in the same mapping")]


def test_aliases_are_refused(tmp_path):
    _, problems = read(tmp_path, "a: &x [1, 2]\nb: *x\n")
    assert "anchors and aliases" in problems[0].message


def test_billion_laughs_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{','.join([prev] * 9)}]")
    start = time.process_time()
    _, problems = read(tmp_path, "\n".join(lines) + "\n")
    assert "anchors and aliases" in problems[0].message
    assert time.process_time() - start < 5  # a bound on catastrophe, not a speed target


@pytest.mark.parametrize("text", ["x: !!python/object/apply:os.system [echo hi]\n",
                                  "x: !custom 3\n", "x: !!binary aGk=\n"])
def test_explicit_tags_are_refused(tmp_path, text):
    _, problems = read(tmp_path, text)
    assert "explicit tag" in problems[0].message


def test_merge_keys_are_refused(tmp_path):
    _, problems = read(tmp_path, "a: {x: 1}\nb:\n  <<: {y: 2}\n")
    assert problems and ("merge keys" in problems[0].message or "explicit tag" in problems[0].message)


def test_invalid_utf8_names_the_line(tmp_path):
    _, problems = read(tmp_path, b"title: ok\nname: caf\xe8\n")
    assert problems[0].line == 2 and "UTF-8" in problems[0].message


def test_syntax_error_has_line_and_column(tmp_path):
    _, problems = read(tmp_path, "a: [1, 2\nb: 3\n")
    assert problems[0].message.startswith("YAML syntax:")
    assert problems[0].line >= 2


@pytest.mark.parametrize("text", [
    "a: " + "[" * 200 + "]" * 200 + "\n",
    # deep enough to overflow the C composer's stack (it crashed `carta check` before)
    "a: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "a: " + "{x: " * 50_000 + "1" + "}" * 50_000 + "\n",
    "- " * 50_000 + "x\n",
])
def test_deep_nesting_is_refused(tmp_path, text):
    _, problems = read(tmp_path, text)
    assert "nesting deeper" in problems[0].message
    assert problems[0].line == 1 and problems[0].column > 60


@pytest.mark.parametrize("padding", ["", "# " + "-" * 2000 + "\n"],
                         ids=["few indicators", "many indicators"])
def test_the_nesting_limit_is_64_lists_or_mappings(tmp_path, padding):
    # a file with few [ { - : ? is composed at once and refused while read; one with many is
    # checked on the parser's events first: the same limit either way
    inside = padding + "a: " + "[" * 63 + "x" + "]" * 63 + "\n"  # 64 with the top mapping
    _, problems = read(tmp_path, inside)
    assert problems == []
    _, problems = read(tmp_path, padding + "a: " + "[" * 64 + "x" + "]" * 64 + "\n")
    assert "nesting deeper than 64" in problems[0].message
    assert (problems[0].line, problems[0].column) == (1 + bool(padding), 67)


def test_huge_file_is_refused_without_parsing(tmp_path):
    _, problems = read(tmp_path, b"a: " + b"x" * (MAX_FILE_BYTES + 1))
    assert "limit" in problems[0].message
