"""The tokenizer: a small byte-level BPE whose merges never cross the boundaries that matter for traces.

Trace models most often get string values wrong, because subword tokens hide the characters that string
operations (slicing, reversing, ``upper()``...) act on. So the pre-tokenizer keeps merges from crossing:

- a quote (``'`` / ``"``): a quote is its own token (at most one space may precede it), so a string's
  delimiters never fuse with its contents;
- a digit: every digit is its own token (again at most one space before it), so the model learns
  arithmetic on digits, not on number chunks;
- a change of character class: letters, whitespace and punctuation each form their own pieces.

With a small vocabulary (~2k) the merges go to identifiers, keywords and operators, and string contents stay
close to character level. Byte-level (every byte has a token) means no input is unknown and
``decode(encode(x)) == x`` for any text. Every marker of the trace text form and of the prompt is a special,
single token. No normalizer, no added BOS/EOS: codeexecutor.model.prompt builds the exact sequence.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

from codeexecutor.model.trace import BOS, EOS, MARKERS, PAD, PROGRAM, STDIN, TRACE

PROMPT_MARKERS = (PROGRAM, STDIN, TRACE)
# PAD, BOS, EOS get ids 0, 1, 2 (trained in this order); the rest follow.
SPECIAL_TOKENS = (PAD, BOS, EOS, *PROMPT_MARKERS, *MARKERS)

# Each piece may start with one space (as in GPT-2: " x" after "<s>" is the commonest pattern): one digit |
# a letter run | one quote | a punctuation run; or spaces not followed by a non-space (so the last space
# joins the next piece) | one other whitespace character | another numeric character. Together the
# alternatives match every character.
_PIECES = r" ?\d| ?[\p{L}_]+| ?['\"]|[ \t]+(?![^ \t])| ?[^\s\p{L}\p{N}_'\"]+|\s|\p{N}"
# The string-characters variant (docs/training-log.md compares it): a one-line string literal is first taken
# whole, then every piece that starts with its quote is cut into single characters, so no merge ever joins
# two characters of a string's contents. Other pieces are kept whole by the second split.
_STRING_LITERAL = r""" ?'(?:[^'\\\n]|\\.)*'| ?"(?:[^"\\\n]|\\.)*"|"""
_CHARS_OF_STRINGS = r"""\A(?! ?['"]).+|."""


def pre_tokenizer(string_chars: bool = False) -> pre_tokenizers.PreTokenizer:
    splits = ([pre_tokenizers.Split(Regex(_STRING_LITERAL + _PIECES), behavior="isolated"),
               pre_tokenizers.Split(Regex(_CHARS_OF_STRINGS), behavior="isolated")] if string_chars
              else [pre_tokenizers.Split(Regex(_PIECES), behavior="isolated")])
    return pre_tokenizers.Sequence([*splits, pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])


def train_tokenizer(texts: Iterable[str], vocab_size: int, string_chars: bool = False) -> Tokenizer:
    """Train the BPE on programs and text-form traces; markers are special tokens, ids 0-2 PAD/BOS/EOS."""
    return _train_bpe(pre_tokenizer(string_chars), texts, vocab_size)


def train_plain_bpe(texts: Iterable[str], vocab_size: int) -> Tokenizer:
    """A GPT-2-style byte-level BPE with the same special tokens: the baseline docs/model.md compares to."""
    return _train_bpe(pre_tokenizers.ByteLevel(add_prefix_space=False), texts, vocab_size)


def _train_bpe(pre: pre_tokenizers.PreTokenizer, texts: Iterable[str], vocab_size: int) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                  special_tokens=list(SPECIAL_TOKENS),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def load_tokenizer(path: Path) -> Tokenizer:
    """Load ``tokenizer.json`` and check it has every special token this code relies on."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no tokenizer at {path}: train a model (codeexecutor train) or export one")
    tok = Tokenizer.from_file(str(path))
    missing = [t for t in SPECIAL_TOKENS if tok.token_to_id(t) is None]
    if missing:
        raise ValueError(f"tokenizer {path} lacks the special tokens {missing}: it was not made by "
                         "codeexecutor.model.tokenizer.train_tokenizer; retrain the model with this version")
    return tok


def special_id(tok: Tokenizer, token: str) -> int:
    """The id of a special token (raises if the tokenizer lacks it)."""
    i = tok.token_to_id(token)
    if i is None:
        raise ValueError(f"the tokenizer has no {token!r} token")
    return i
