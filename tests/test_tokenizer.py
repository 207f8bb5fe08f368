"""The tokenizer and the prompt: markers are single tokens, digits and quotes stay apart, text round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer

from codeexecutor.model.prompt import make_prompt, number_lines, parse_generation
from codeexecutor.model.tokenizer import BOS, EOS, PAD, SPECIAL_TOKENS, load_tokenizer, train_plain_bpe, train_tokenizer
from codeexecutor.model.trace import MODULE_FRAME, Step, Trace, from_text, to_text

PROGRAMS = [
    "s = 'hello world'\nt = s.upper()\nprint(t[::-1], len(s))\n",
    "def f(n):\n    return n * 1234\nx = f(56)\nprint(x)\n",
    "names = [\"ana\", 'bo']\nfor n in names:\n\tprint(n.title())\n",
    "d = {'k': 3.25, 'é': '日本'}\nprint(d)\n",
]


def corpus() -> list[str]:
    texts = []
    for i in range(60):
        for p in PROGRAMS:
            program = p.replace("1234", str(1000 + 37 * i))
            texts.append(make_prompt(program, stdin=f"{i}\n" if i % 3 == 0 else ""))
        steps = [Step(1, MODULE_FRAME, {"s": repr(f"hello world {i}")}),
                 Step(2, MODULE_FRAME, {"s": repr(f"hello world {i}"), "t": repr(f"HELLO WORLD {i}")}),
                 Step(3, MODULE_FRAME, {"s": repr(f"hello world {i}"), "t": repr(f"HELLO WORLD {i}")},
                      output=f"{i} DLROW OLLEH 13\n")]
        texts.append(to_text(Trace(steps=steps, stdout=f"{i} DLROW OLLEH 13\n")))
    return texts


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return train_tokenizer(corpus(), vocab_size=600)


def test_special_tokens_are_single_tokens_with_fixed_ids(tok: Tokenizer) -> None:
    assert [tok.token_to_id(t) for t in (PAD, BOS, EOS)] == [0, 1, 2]
    for marker in SPECIAL_TOKENS:
        assert tok.encode(marker, add_special_tokens=False).ids == [tok.token_to_id(marker)], marker
        # also in running text, glued to neighbours
        tokens = tok.encode(f"x{marker}7 {marker}'a'", add_special_tokens=False).tokens
        assert tokens.count(marker) == 2, (marker, tokens)


def test_digits_are_split_one_by_one(tok: Tokenizer) -> None:
    tokens = tok.encode("<s> n 1234567 <s> f 3.25e10", add_special_tokens=False).tokens
    assert [t for t in tokens if any(c.isdigit() for c in t)] == \
        ["Ġ1", "2", "3", "4", "5", "6", "7", "Ġ3", "2", "5", "1", "0"]


def test_quotes_never_merge_with_string_contents(tok: Tokenizer) -> None:
    tokens = tok.encode("<s> s 'hello world' <s> q \"ana\"", add_special_tokens=False).tokens
    quoted = [t for t in tokens if "'" in t or '"' in t]
    assert len(quoted) == 4 and all(t.removeprefix("Ġ") in ("'", '"') for t in quoted), quoted
    assert "hello" in tokens  # the training corpus made the word a token; the quotes still stand apart


def test_string_chars_variant_cuts_string_contents_into_characters() -> None:
    tok = train_tokenizer(corpus(), vocab_size=600, string_chars=True)
    text = "<s> s 'hello world' <s> q \"it's\" name.upper()"
    tokens = tok.encode(text, add_special_tokens=False).tokens
    first, second = tokens.index("'"), tokens.index('"')
    assert tokens[first:first + 13] == ["'", "h", "e", "l", "l", "o", "Ġ", "w", "o", "r", "l", "d", "'"]
    assert tokens[second:second + 6] == ['"', "i", "t", "'", "s", '"']
    assert tokens[-2:] == ["upper", "()"]  # outside strings, merges as before
    assert tok.decode(tok.encode(text, add_special_tokens=False).ids, skip_special_tokens=False) == text


@pytest.mark.parametrize("text", [
    *PROGRAMS,
    "<line> 1 <s> s 'a\\tb\\n' <line> 2 <out> 'Ωμέγα ✓\\n' <end> ok",
    "x = '<lt>s> not a marker'\r\nprint(x)  # ünïcödé 🐍\n",
    "  \t \n\n   trailing   ",
])
def test_round_trip(tok: Tokenizer, text: str) -> None:
    ids = tok.encode(text, add_special_tokens=False).ids
    assert tok.decode(ids, skip_special_tokens=False) == text


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_round_trip_any_text(text: str) -> None:
    tok = _SHARED["tok"]
    assert tok.decode(tok.encode(text, add_special_tokens=False).ids, skip_special_tokens=False) == text


_SHARED: dict[str, Tokenizer] = {}


@pytest.fixture(autouse=True)
def _share(tok: Tokenizer) -> None:
    _SHARED["tok"] = tok  # hypothesis tests cannot take function-scoped fixtures as arguments


def test_prompt_and_trace_tokenize_separately_as_together(tok: Tokenizer) -> None:
    # training/learning/data.py encodes BOS + prompt and trace + EOS apart; the boundary must not change a token.
    prompt = BOS + make_prompt(PROGRAMS[0], "in\n")
    text = "<line> 1 <s> s 'hello world' <end> ok" + EOS
    apart = tok.encode(prompt, add_special_tokens=False).ids + tok.encode(text, add_special_tokens=False).ids
    assert apart == tok.encode(prompt + text, add_special_tokens=False).ids


def test_save_and_load(tok: Tokenizer, tmp_path: Path) -> None:
    tok.save(str(tmp_path / "tokenizer.json"))
    loaded = load_tokenizer(tmp_path / "tokenizer.json")
    assert loaded.encode(PROGRAMS[1]).ids == tok.encode(PROGRAMS[1]).ids
    # the GPT-2-style baseline of docs/model.md, one special token renamed: not a tokenizer of ours
    bare = Tokenizer.from_str(train_plain_bpe(corpus(), 600).to_str().replace('"<trace>"', '"<trace_>"'))
    bare.save(str(tmp_path / "bare.json"))
    with pytest.raises(ValueError, match="<trace>"):
        load_tokenizer(tmp_path / "bare.json")
    with pytest.raises(FileNotFoundError, match="codeexecutor train"):
        load_tokenizer(tmp_path / "missing.json")


def test_number_lines_and_prompt() -> None:
    assert number_lines("a = 1\n\nprint(a)\n") == "1 a = 1\n2\n3 print(a)"
    assert number_lines("a = 1\r\nb = 2") == "1 a = 1\n2 b = 2"
    assert make_prompt("x = input()\n", "3\n") == "<program>\n1 x = input()\n<stdin> '3\\n'\n<trace>"
    assert make_prompt("pass") == "<program>\n1 pass\n<trace>"


def test_parse_generation_strips_the_wrapping() -> None:
    text = "<line> 1 <s> x 3 <end> ok"
    expected = from_text(text, strict=True)
    assert parse_generation(text + EOS + PAD + PAD) == expected
    assert parse_generation(BOS + make_prompt("x = 3\n") + text + EOS + "<line> 9") == expected
    assert parse_generation("<line> 1 <s> x").message.startswith("incomplete prediction")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["<line>", "<call>", "<s>", "<d>", "<out>", "<ret>", "<exc>", "<end>",
                                 "<stdout>", "<lt>", EOS, " 1", " x", " 'a", "'", " ok", " steps", " f"]),
                max_size=20))
def test_parse_generation_never_raises(pieces: list[str]) -> None:
    assert isinstance(parse_generation("".join(pieces)), Trace)
