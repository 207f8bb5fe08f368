"""Constrained decoding: a state machine over the generated tokens that allows only what the program can do.

It follows the trace text form (docs/trace-format.md) token by token, keeps the stack of activations as
``from_text`` does, and before every token says which token ids are allowed:

- markers only where the text form puts them (the order within a step is ``<d>* <s>* <out>? <ret>? <exc>?``;
  ``<call>`` is followed by ``<line>``; ``<ret>`` only in a function; ``<end>`` takes a status);
- after ``<line>``: the lines of the current frame (codeexecutor.model.analysis); after ``<call>``: the frames the
  program defines; after ``<s>``/``<d>``: the names that line may set or delete in that frame, given the names
  the activation's steps have set so far;
- values and string literals: any token that is not a marker (``<lt>`` is part of a value), and the next
  marker only once the value has content and its last token ended with the separating space; but a name
  (or a ``<ret>``, ``<out>``) whose value after the line is certain gets exactly that value's tokens: a literal
  assigned, returned or printed (``ProgramFacts.certain_value``: its canonical tokens), or a copy (``x = y``,
  ``return y``: ``ProgramFacts.copy_of``) of a value this trace already wrote (the same tokens again).

Names, line numbers and frame names are spelled by BPE tokens; a slot allows exactly the canonical token
sequences of its allowed strings (a prefix trie over token ids, built once per distinct set and cached) and
then the token that ends the slot. The model was trained on canonical tokenizations, so this excludes
nothing it was taught. Nothing here imports torch: the ONNX engine and the PyTorch adapter
(codeexecutor.training.learning.masking) share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tokenizers import Tokenizer

from codeexecutor.model.analysis import ProgramFacts
from codeexecutor.model.tokenizer import EOS, SPECIAL_TOKENS
from codeexecutor.model.trace import (
    CALL,
    DEL,
    END,
    EVENT_KEYS,
    EXC,
    LINE,
    LT,
    MODULE_FRAME,
    OUT,
    RET,
    SET,
    STATUSES,
    STDOUT,
)

_UNKNOWN_FRAME = "?"  # a frame opened by a <call> whose name could not be checked (any line, any name)

# Which markers may follow each part of a step (to_text writes a step's parts in this order).
_NEXT_STEP = (LINE, CALL, STDOUT, END)
_AFTER = {
    "start": _NEXT_STEP,
    "line": (DEL, SET, OUT, RET, EXC, *_NEXT_STEP),
    DEL: (DEL, SET, OUT, RET, EXC, *_NEXT_STEP),
    SET: (SET, OUT, RET, EXC, *_NEXT_STEP),
    OUT: (RET, EXC, *_NEXT_STEP),
    RET: (EXC, *_NEXT_STEP),
    EXC: _NEXT_STEP,
    CALL: (LINE,),
    STDOUT: (END,),
}


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet (what ByteLevel writes for each byte), reversed."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars, n = {}, 0
    for b in range(256):
        if b in printable:
            chars[chr(b)] = b
        else:
            chars[chr(256 + n)] = b
            n += 1
    return chars


class TokenTable:
    """Per-token facts of a tokenizer: which ids are markers, which start or end with a space."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        size = tokenizer.get_vocab_size()
        self.size = size
        decode = _byte_decoder()
        special_ids = {tokenizer.token_to_id(t): t for t in SPECIAL_TOKENS}
        self.marker = {t: i for i, t in special_ids.items() if i is not None}  # text -> id
        self.marker_of = {i: t for i, t in special_ids.items() if i is not None}  # id -> text
        self.special = np.zeros(size, dtype=bool)
        self.starts_space = np.zeros(size, dtype=bool)
        self.ends_space = np.zeros(size, dtype=bool)
        self.blank = np.zeros(size, dtype=bool)  # only whitespace
        self.raw = [b""] * size  # the bytes each token writes (markers: none)
        for i in range(size):
            if i in special_ids:
                self.special[i] = True
                continue
            raw = self.raw[i] = bytes(decode.get(c, 0) for c in tokenizer.id_to_token(i) or "")
            self.starts_space[i] = raw[:1] == b" "
            self.ends_space[i] = raw[-1:] == b" "
            self.blank[i] = raw.strip() == b"" and raw != b""
        self.lt = self.marker[LT]
        self.eos = self.marker[EOS]
        space = tokenizer.token_to_id("Ġ")
        if space is None:
            raise ValueError("the tokenizer has no token for a lone space; it was not made by "
                             "codeexecutor.model.tokenizer.train_tokenizer")
        self.space = space
        self.content = ~self.special  # what a value may contain, besides <lt>
        self.content[self.lt] = True
        self.value_start = self.starts_space & ~self.special  # the first token of a value or literal
        self.all = np.ones(size, dtype=bool)
        self._encoded: dict[str, tuple[int, ...]] = {}

    def spell(self, text: str) -> tuple[int, ...]:
        """The canonical token ids of ``" " + text`` (how a slot's content is tokenized after its marker)."""
        ids = self._encoded.get(text)
        if ids is None:
            ids = self._encoded[text] = tuple(self.tokenizer.encode(" " + text, add_special_tokens=False).ids)
        return ids

    def ids_of(self, markers: tuple[str, ...] | frozenset[str]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[[self.marker[m] for m in markers]] = True
        return mask


@dataclass
class _Node:
    children: dict[int, _Node] = field(default_factory=dict)
    value: str | None = None  # the string spelled so far, when it is one of the trie's strings


class _Trie:
    """The canonical token sequences of a set of strings, with a cached mask per node."""

    def __init__(self, table: TokenTable, strings: frozenset[str]) -> None:
        self.root = _Node()
        for s in strings:
            node = self.root
            for t in table.spell(s):
                node = node.children.setdefault(t, _Node())
            node.value = s
        self._masks: dict[tuple[int, int], np.ndarray] = {}

    def mask(self, node: _Node, ending: np.ndarray) -> np.ndarray:
        """Allowed ids at ``node``: its children, and ``ending`` (what closes the slot) if a string ends here."""
        key = (id(node), id(ending))
        mask = self._masks.get(key)
        if mask is None:
            mask = ending.copy() if node.value is not None else np.zeros_like(ending)
            mask[list(node.children)] = True
            self._masks[key] = mask
        return mask


class _NameErrorNames:
    """An ``<exc>`` value that spells ``NameError: name '`` goes on with a name the program holds.

    The model learnt such messages from thousands of programs and writes their names into programs that have
    no such name (a hint no user can make sense of); the interpreter can only name what the code loads.
    Bytes, since a token may end inside a character; per message prefix, a filter over the vocabulary."""

    PREFIX = b' "NameError: name \''

    def __init__(self, table: TokenTable, names: frozenset[str] | None) -> None:
        self.t = table
        self.active = names is not None
        self._ends = tuple(n.encode() + b"'" for n in names or ())
        self._masks: dict[bytes, np.ndarray] = {}

    def settled(self, message: bytes) -> bool:
        """Whether ``message`` can no longer become a NameError's name that is not yet complete."""
        if self.PREFIX.startswith(message):
            return False
        if not message.startswith(self.PREFIX):
            return True  # another exception, or another NameError message
        rest = message[len(self.PREFIX):]
        return any(rest.startswith(end) for end in self._ends)

    def allowed(self, message: bytes) -> np.ndarray:
        """The tokens that keep ``message`` on a name the program holds (every token where it is not one)."""
        mask = self._masks.get(message)
        if mask is None:
            n = len(self.PREFIX)
            # Only the names that still fit what is written can be continued: test each token against them.
            ends = [e for e in self._ends if e.startswith(message[n:])] if len(message) >= n else self._ends
            mask = self._masks[message] = np.array([_keeps(message + raw, self.PREFIX, ends) for raw in self.t.raw])
        return mask


def _keeps(text: bytes, prefix: bytes, ends: list[bytes] | tuple[bytes, ...]) -> bool:
    if not text.startswith(prefix):
        return True  # still spelling the prefix, or not a NameError's message
    rest = text[len(prefix):]
    return any(end.startswith(rest) or rest.startswith(end) for end in ends)


class TraceConstraint:
    """The allowed next tokens while a trace of one program is generated; ``advance`` with each chosen token."""

    def __init__(self, facts: ProgramFacts, table: TokenTable) -> None:
        self.facts = facts
        self.t = table
        self._tries: dict[frozenset[str], _Trie] = {}
        self._marker_masks: dict[tuple[str, ...], np.ndarray] = {}
        self._value_masks: dict[tuple[tuple[str, ...], bool, bool], np.ndarray] = {}
        self._one_hot: dict[int, np.ndarray] = {}  # token -> a mask allowing only it (kept: tries cache by id)
        self._separator = np.zeros(table.size, dtype=bool)
        self._separator[table.space] = True
        self._eos = np.zeros(table.size, dtype=bool)
        self._eos[table.eos] = True
        self._status_end = self._eos | table.value_start  # a status ends the text, or a message follows
        frames = facts.called_frames()
        self._frames = frozenset(frames) if frames is not None else None
        self._names: dict[tuple[str, int, bool, frozenset[str]], frozenset[str] | None] = {}
        self._lines: dict[tuple[str, int | None], frozenset[str]] = {}
        # The stack of activations: [frame, its last line, frames it called since, names bound in it -> the
        # tokens of the value the trace gave it (None: being written)]. The module is at the bottom.
        self.stack: list[list] = [[MODULE_FRAME, None, set(), {}]]
        self._before: dict[str, tuple[int, ...] | None] = {}  # the activation's names before this step
        self._writing: tuple[dict, str, list[int]] | None = None  # a set value being written: (names, name, ids)
        self._module_lines: set[int] = set()  # module lines whose step was written (a def there has run)
        self.pending_call = False
        self.step: tuple[str, int, bool] | None = None  # (frame, line, first) of the step being written
        self.closes = False  # the step being written has <ret> or <exc>
        self.done = False
        self._names_in_errors = _NameErrorNames(table, facts.name_error_names)
        self._message: bytes | None = None  # an <exc> value so far, while it may still be a NameError's
        self._state: tuple = ("markers", self._legal(_AFTER["start"]))
        self._mask = self._markers_mask(self._state[1])

    # -- what is allowed -----------------------------------------------------------------------------------

    def allowed(self) -> np.ndarray:
        """Boolean mask over the vocabulary of the tokens allowed next."""
        return self._mask

    def advance(self, token: int) -> None:
        """Move past ``token`` (which must be allowed; anything else leaves the constraint lifted)."""
        if self.done:
            return
        if not self._mask[token]:
            # A token outside the mask (a caller that did not apply it): stop constraining, never block.
            self._lift()
            return
        self._on(token)

    def _lift(self) -> None:
        self.done = True
        self._mask = self.t.all

    # -- the states --------------------------------------------------------------------------------------

    def _legal(self, markers: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for m in markers:
            if m == RET and (self.step is None or len(self.stack) == 1):
                continue  # the module never returns
            if m in (SET, DEL) and not self._names_allowed():
                continue
            if m == CALL and self._frames is not None and not self._frames:
                continue
            if m == LINE and self._owed_calls(self._next_entry()):
                continue  # the next line must call a function first (codeexecutor.model.calls)
            if m in (SET, DEL, OUT, RET, EXC) and self.step is None:
                continue
            out.append(m)
        return tuple(out)

    def _names_allowed(self) -> bool:
        if self.step is None:
            return False
        names = self._step_names()
        return names is None or bool(names)

    def _next_entry(self) -> list:
        """The activation the next ``<line>`` or ``<call>`` belongs to: the caller if this step closes one."""
        return self.stack[-2] if self.closes and len(self.stack) > 1 else self.stack[-1]

    def _owed_calls(self, entry: list) -> frozenset[str]:
        """The functions one of which ``entry`` must call before its next step: not empty only when every line
        that can come next certainly calls one it has not called yet (codeexecutor.model.calls).

        A ``<call>`` is written with the callee's first finished step, so the calls of the callee's first line
        come before it, each also counted as the entry's: only that the callee came since matters."""
        calls = self.facts.calls
        if calls is None or not calls.certain:  # most programs: nothing to check, at every marker
            return frozenset()
        frame, previous, called, bound = entry
        if previous is None or self.facts.frames is None or frame not in self.facts.frames:
            return frozenset()
        facts = self.facts.frames[frame]
        following = facts.next_lines(previous)
        if previous in calls.once.get(frame, ()):
            following = following - {previous}  # a simple statement repeats only through a loop's header
        module_bound = self.stack[0][3]
        owed = set()
        for line in following:
            call = calls.certain.get((frame, line))
            if call is None or call.callee in called or call.defined_at not in self._module_lines:
                return frozenset()
            for name in call.names:
                local = facts.names is not None and name in facts.names and frame != MODULE_FRAME
                if name not in bound and (local or name not in module_bound):
                    return frozenset()
            owed.add(call.callee)
        return frozenset(owed)

    def _step_names(self) -> frozenset[str] | None:
        assert self.step is not None
        key = (*self.step, frozenset(self.stack[-1][3]))
        names = self._names.get(key, ())
        if names == ():
            names = self._names[key] = self.facts.step_names(*key)
        return names  # type: ignore[return-value]

    def _next_lines(self) -> frozenset[str]:
        frame, previous = self.stack[-1][:2]
        key = (frame, None if self.pending_call else previous)  # a new activation may start anywhere
        lines = self._lines.get(key)
        if lines is None:
            lines = self._lines[key] = frozenset(str(n) for n in self.facts.frame_lines(*key))
        return lines

    def _markers_mask(self, markers: tuple[str, ...]) -> np.ndarray:
        mask = self._marker_masks.get(markers)
        if mask is None:
            mask = self._marker_masks[markers] = self.t.ids_of(markers)
        return mask

    def _enter_slot(self, strings: frozenset[str] | None, kind: str) -> None:
        """A name, line number, frame or status: the trie of its allowed strings (None: any text)."""
        if not strings:  # unknown (or, defensively, empty): any text, as a value
            if kind == CALL:
                self.stack.append([_UNKNOWN_FRAME, None, set(), {}])
                self.pending_call = True
            self._enter_value(_AFTER[kind])
            return
        trie = self._tries.get(strings)
        if trie is None:
            trie = self._tries[strings] = _Trie(self.t, strings)
        self._state = ("slot", kind, trie, trie.root)
        self._mask = self._slot_mask(trie, trie.root, kind)

    def _slot_mask(self, trie: _Trie, node: _Node, kind: str) -> np.ndarray:
        forced = self._known_value(node.value) if kind == SET and node.value is not None else None
        if forced:  # the name is complete and its value known: only that value's first token ends the slot
            return trie.mask(node, self._only(forced[0]))
        return trie.mask(node, self._slot_ending(kind))

    def _known_value(self, key: str) -> tuple[int, ...] | None:
        """The tokens of a name's (or an event key's) value after this step's line, with the space that ends
        it, when it is certain: a literal's, or those this trace wrote for the name the line copies."""
        assert self.step is not None
        frame, line, _ = self.step
        value = self.facts.certain_value(frame, line, key)
        if value is not None:
            ids = self.t.spell(value + " ")
            return ids if self.t.value_start[ids[0]] and self.t.ends_space[ids[-1]] else None
        copy = self.facts.copy_of(frame, line, key)
        if copy is None:
            return None
        source, rebound = copy
        # A name the line also sets (``a, b = b, a``) is copied as it was before the line; any other is
        # unchanged by the line, so its latest value counts (at an activation's first step, the one just set).
        return (self._before if rebound else self.stack[-1][3]).get(source)

    def _only(self, token: int) -> np.ndarray:
        mask = self._one_hot.get(token)
        if mask is None:
            mask = self._one_hot[token] = np.zeros(self.t.size, dtype=bool)
            mask[token] = True
        return mask

    def _slot_ending(self, kind: str) -> np.ndarray:
        if kind == SET:
            return self.t.value_start
        if kind == END:
            return self._status_end
        return self._separator

    def _enter_value(self, next_markers: tuple[str, ...], eos: bool = False) -> None:
        """A value or string literal: non-marker tokens, then (after content and a space) a marker."""
        self._state = ("value", self._legal(next_markers), eos, False)
        self._mask = self.t.value_start

    def _value_mask(self, markers: tuple[str, ...], eos: bool, can_end: bool) -> np.ndarray:
        key = (markers, eos, can_end)
        mask = self._value_masks.get(key)
        if mask is None:
            mask = self.t.content.copy()
            if can_end:
                mask |= self._markers_mask(markers)
            if eos:
                mask[self.t.eos] = True
            self._value_masks[key] = mask
        return mask

    # -- transitions --------------------------------------------------------------------------------------

    def _on(self, token: int) -> None:
        state = self._state
        if state[0] == "markers":
            self._on_marker(token)
        elif state[0] == "slot":
            self._on_slot_token(token, state)
        elif state[0] == "forced":
            self._force(state[1][1:], state[2])
        else:
            self._on_value_token(token, state)

    def _on_marker(self, token: int) -> None:
        marker = self.t.marker_of[token]
        self._message = None
        if marker in (LINE, CALL, STDOUT, END):
            self._finish_step()
        if marker == LINE:
            self._enter_slot(self._next_lines(), LINE)
        elif marker == CALL:
            self._enter_slot(self._frames, CALL)
        elif marker in (SET, DEL):
            self._enter_slot(self._step_names(), marker)
        elif marker in (OUT, RET, EXC):
            self.closes = self.closes or marker != OUT
            forced = self._known_value(EVENT_KEYS[marker]) if marker != EXC else None
            if forced:
                self._force(forced, _AFTER[marker])
                return
            self._enter_value(_AFTER[marker])
            if marker == EXC and self._names_in_errors.active:
                self._message = b""
                self._mask = self._mask & self._names_in_errors.allowed(b"")
        elif marker == STDOUT:
            self._enter_value(_AFTER[STDOUT])
        elif marker == END:
            self._enter_slot(frozenset(STATUSES), END)

    def _finish_step(self) -> None:
        if self.step is None:
            return
        if self.closes and len(self.stack) > 1:
            self.stack.pop()
        self.step = None
        self.closes = False

    def _on_slot_token(self, token: int, state: tuple) -> None:
        _, kind, trie, node = state
        child = node.children.get(token)
        if child is not None:
            self._state = ("slot", kind, trie, child)
            self._mask = self._slot_mask(trie, child, kind)
            return
        value = node.value  # the token ends the slot: the string is complete
        if kind == LINE:
            entry = self.stack[-1]
            entry[1] = int(value)
            entry[2].clear()
            if len(self.stack) == 1:
                self._module_lines.add(int(value))
            self._before = dict(entry[3])
            self.step = (entry[0], int(value), self.pending_call)
            self.pending_call = False
            self._state = ("markers", self._legal(_AFTER["line"]))
            self._mask = self._markers_mask(self._state[1])
        elif kind == CALL:
            self.stack[-1][2].add(value)
            self.stack.append([value, None, set(), {}])
            self.pending_call = True
            self._state = ("markers", _AFTER[CALL])
            self._mask = self._markers_mask(_AFTER[CALL])
        elif kind == DEL:
            self.stack[-1][3].pop(value, None)
            self._state = ("markers", self._legal(_AFTER[DEL]))
            self._mask = self._markers_mask(self._state[1])
        elif kind == SET:  # the token is the value's first
            names = self.stack[-1][3]
            forced = self._known_value(value)
            names[value] = forced
            if forced:
                self._force(forced[1:], _AFTER[SET])
                return
            self._writing = (names, value, [])
            self._enter_value(_AFTER[SET])
            self._on_value_token(token, self._state)
        elif kind == END:
            if token == self.t.eos:
                self.done = True
                self._mask = self.t.all
            else:
                self._enter_value((), eos=True)
                self._on_value_token(token, self._state)

    def _force(self, tokens: tuple[int, ...], after: tuple[str, ...]) -> None:
        """The rest of a certain value: its next token only, then the markers ``after`` it."""
        if tokens:
            self._state = ("forced", tokens, after)
            self._mask = self._only(tokens[0])
        else:
            self._state = ("markers", self._legal(after))
            self._mask = self._markers_mask(self._state[1])

    def _on_value_token(self, token: int, state: tuple) -> None:
        _, markers, eos, has_content = state
        if self.t.special[token] and token != self.t.lt:
            if self._writing is not None:  # a set value is complete: keep its tokens for a later copy
                names, name, ids = self._writing
                names[name] = tuple(ids)
                self._writing = None
            if token == self.t.eos:
                self.done = True
                self._mask = self.t.all
                return
            self._on_marker(token)
            return
        if self._writing is not None:
            self._writing[2].append(token)
        has_content = has_content or not self.t.blank[token]
        self._state = ("value", markers, eos, has_content)
        self._mask = self._value_mask(markers, eos and has_content, has_content and bool(self.t.ends_space[token]))
        if self._message is not None:
            self._message += self.t.raw[token]
            if self._names_in_errors.settled(self._message):
                self._message = None
            else:
                self._mask = self._mask & self._names_in_errors.allowed(self._message)


def first_disallowed(facts: ProgramFacts, table: TokenTable, ids: list[int]) -> int | None:
    """The index of the first token of ``ids`` the mask would not allow (None: all allowed).

    For checking the mask against gold traces: ``ids`` is the tokenized ``text + <eos>`` of a real run.
    """
    constraint = TraceConstraint(facts, table)
    for i, token in enumerate(ids):
        if not constraint.allowed()[token]:
            return i
        constraint.advance(token)
    return None
