import io
import json

from monitor.match.jsonl import classify_stream


def run(shipped, text):
    out, err = io.StringIO(), io.StringIO()
    code = classify_stream(shipped, io.StringIO(text), out, err)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_stream_skips_invalid_lines_and_reports_line_numbers(shipped):
    lines = [
        json.dumps({"id": "a", "title": "Excarcelan a 87 presos políticos en Tocorón", "lang": "es"}),
        "{not json",
        "",
        json.dumps(["a", "list"]),
        json.dumps({"id": 7, "title": 5}),
        json.dumps({"id": "b", "title": "Leones del Caracas ganan", "text": None}),
    ]
    code, out, err = run(shipped, "\n".join(lines) + "\n")
    assert code == 0
    assert [o["id"] for o in out] == ["a", "b"]
    assert out[0]["topics"] == ["political_prisoners"]
    assert out[0]["counts"] == [{"event": "released", "number": 87, "source": None, "confident": True}]
    assert "line 2: invalid JSON" in err
    assert "line 4: expected a JSON object" in err
    assert "line 5: field 'title' must be a string" in err
    assert "line 3" not in err  # blank lines are ignored


def test_output_is_utf8_not_escaped(shipped):
    out = io.StringIO()
    line = json.dumps({"id": "x", "title": "Excarcelan presos políticos en Tocorón"})
    classify_stream(shipped, io.StringIO(line + "\n"), out, io.StringIO())
    assert '"Tocorón"' in out.getvalue() and "\\u00f3" not in out.getvalue()


def test_exit_codes(shipped):
    assert run(shipped, "")[0] == 0
    assert run(shipped, "garbage\n[1]\n")[0] == 1
