"""Program text -> scenarios: examples of each kind, self-contained programs, line maps, half-typed code."""

from __future__ import annotations

import textwrap

from codeexecutor.server.chunks import outline
from codeexecutor.server.positions import UTF8, UTF16, UTF32, column_units, split_lines
from codeexecutor.server.scenarios import Analysis, analyse


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


FILE = src('''
    import math

    K = 3

    # example: sq(4)
    def sq(n):
        r = n * n
        return r


    def total(xs):
        """Sum.

        >>> data = [1, 2]
        >>> total(data)
        3
        """
        t = 0
        for x in xs:
            t += x
        return t


    def uses_k(a):
        return a + K + math.floor(1.5)


    def lonely(z):
        return z


    print(uses_k(2))
    if __name__ == "__main__":
        y = sq(5)
''')


def by_name(text: str, **kw):
    return {s.name: s for s in analyse(text, **kw).scenarios}


def test_each_kind_of_example_and_none_without_one():
    s = by_name(FILE)
    assert sorted(s) == ["<module>", "sq", "total", "uses_k"]  # lonely has no example: no scenario
    assert (s["sq"].source, s["sq"].call) == ("comment", "sq(4)")
    assert (s["total"].source, s["total"].call) == ("doctest", "data = [1, 2]\ntotal(data)")
    assert (s["uses_k"].source, s["uses_k"].call) == ("call", "uses_k(2)")
    assert s["<module>"].source == "module"


def test_function_program_is_self_contained_with_what_it_needs():
    s = by_name(FILE)["uses_k"]
    assert s.program == ("import math\nK = 3\n\ndef uses_k(a):\n    return a + K + math.floor(1.5)\n"
                         "\nuses_k(2)\n")
    # program line -> 0-based file line; the blank separator and the call come from nowhere in the file
    assert s.line_map == (0, 2, None, 23, 24, None, None)
    assert s.owned == ((23, 24),)
    assert s.file_line(4) == 23 and s.file_line(7) is None and s.file_line(8) is None
    compile(s.program, "<scenario>", "exec")


def test_comment_example_program_keeps_the_comment_and_maps_lines():
    s = by_name(FILE)["sq"]
    assert s.program == "# example: sq(4)\ndef sq(n):\n    r = n * n\n    return r\n\nsq(4)\n"
    assert s.line_map == (4, 5, 6, 7, None, None)


def test_module_scenario_owns_only_lines_no_function_scenario_owns():
    s = by_name(FILE)
    module = s["<module>"]
    assert module.owns(0) and module.owns(31) and module.owns(33)
    assert not module.owns(6)  # sq's body belongs to sq's scenario
    assert module.owns(28)  # lonely has no scenario of its own: the module's run shows it if it calls it
    assert "def lonely" not in module.program and "def total" not in module.program
    assert "def sq" in module.program and "def uses_k" in module.program
    analysis = analyse(FILE)
    assert analysis.owner(6).name == "sq" and analysis.owner(31).name == "<module>"


def test_command_example_wins_and_call_in_file_needs_module_level_names():
    text = src('''
        def f(a):
            return a * 2


        for i in range(3):
            f(i)
    ''')
    assert "f" not in by_name(text)  # f(i) uses a loop variable: not a self-contained call
    s = by_name(text, examples={"f": "f(21)"})["f"]
    assert (s.source, s.call) == ("command", "f(21)")
    assert s.program.endswith("\n\nf(21)\n")


def test_stdin_comment_feeds_the_module_scenario():
    s = by_name("# stdin: 3 4\n# stdin: x\na, b = input().split()\n")["<module>"]
    assert s.stdin == "3 4\nx\n"


def test_editing_one_function_changes_only_its_digest_and_shifted_lines_keep_digests():
    before = by_name(FILE)
    after = by_name(FILE.replace("    r = n * n\n", "    r = n * n * 1\n"))
    assert after["sq"].digest != before["sq"].digest
    assert after["total"].digest == before["total"].digest
    assert after["uses_k"].digest == before["uses_k"].digest
    shifted = by_name("\n\n\n" + FILE.replace("# example: sq(4)", "# example: sq(4)\n\n"))
    assert shifted["total"].digest == before["total"].digest
    assert shifted["total"].line_map[0] == before["total"].line_map[0] + 5


def test_syntax_error_in_one_function_keeps_the_others():
    text = FILE.replace("def total(xs):", "def total(xs:")
    analysis = analyse(text)
    names = {s.name for s in analysis.scenarios}
    assert names == {"<module>", "sq", "uses_k"}
    assert analysis.broken == ((10, 20),)


def test_unclosed_bracket_or_string_spoils_only_its_own_statement():
    lines = split_lines(src('''
        x = foo(1,
        def g():
            return 1
        y = 2
        s = """never closed
        def h():
            return 2
    '''))
    shape = outline(lines)
    firsts = [st.first for st in shape.statements]
    assert firsts == [1, 3, 5]  # g, y = 2 and h; the broken lines are set aside
    assert shape.broken == ((0, 0), (4, 4))


def test_decorators_comments_and_semicolons_stay_with_their_statement():
    lines = split_lines("@dec\n@dec2(1,\n  2)\ndef f():\n    pass\n# note\nx = 1; y = 2\n")
    shape = outline(lines)
    assert [(st.first, st.code, st.last) for st in shape.statements] == [(0, 0, 4), (5, 6, 6)]
    assert len(shape.statements[1].nodes) == 2


def test_random_bytes_and_huge_files_do_not_raise():
    junk = bytes(range(256)).decode("latin-1") * 4 + "\n(((((\n'''\n"
    assert analyse(junk).scenarios == ()
    big = "".join(f"def f{i}(a):\n    return a + {i}\n\n" for i in range(1000)) + "print(f1(2))\n"
    s = by_name(big)
    assert s["f1"].call == "f1(2)" and s["f1"].line_map[:2] == (3, 4)


def test_columns_in_each_position_encoding():
    line = "s = 'héllo 𝄞'"  # é is one UTF-16 unit, 𝄞 (U+1D11E) is two
    assert column_units(line, UTF16) == 14
    assert column_units(line, UTF32) == 13
    assert column_units(line, UTF8) == 17
    assert split_lines("a\r\nb\rc\n\x0cd\u2028e") == ["a", "b", "c", "\x0cd\u2028e"]


def test_empty_and_unreadable_files_reach_no_model_and_say_why():
    assert analyse("") == analyse(" \n\t\n") == Analysis((), ())
    nul = analyse("x = 1\ny = '\x00'\n")
    assert (nul.scenarios, nul.why_unpredicted(0)) == ((), nul.problem)
    assert nul.problem.startswith("Line 2 contains a NUL character (`\\x00`): this is not Python source")
    assert analyse("s = '\ud800'\n").problem.startswith("Line 1 is not valid Unicode text (an unpaired surrogate)")
    assert analyse("x = 1\ns = 'caf\ufffd'\n").problem.startswith("Line 2 contains U+FFFD")


def test_a_syntax_error_is_named_and_code_needing_what_it_hides_is_not_predicted():
    analysis = analyse("x = 1\ny = x +\nprint(y)\n\n\ndef f(a):\n    return a\n\n\nprint(f(x))\n")
    # the module's program would read y, which only the broken line defines: predicting it would show a
    # NameError the file does not have; f needs nothing from there and keeps its scenario
    assert [s.name for s in analysis.scenarios] == ["f"]
    assert analysis.why_unpredicted(1) == ("Syntax error on line 2: invalid syntax. This part is not predicted "
                                           "until it parses.")
    assert analysis.why_unpredicted(2) == (
        "Not predicted: this code uses `y`, which nothing that parses defines; the syntax error on line 2 "
        "(invalid syntax) may be where it is. Fix that to see values here.")
    assert analysis.why_unpredicted(6) == ""
    fine = analyse("x = 1\ny = (\nprint(x)\n")
    assert [s.name for s in fine.scenarios] == ["<module>"]  # reads only x: still predicted
    assert fine.why_unpredicted(1) == ("Syntax error on line 2: '(' was never closed. This part is not "
                                       "predicted until it parses.")
