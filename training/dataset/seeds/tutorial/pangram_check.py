alphabet = "abcdefghijklmnopqrstuvwxyz"


def missing_letters(sentence):
    present = set(sentence.lower())
    return "".join(ch for ch in alphabet if ch not in present)


for s in ["The quick brown fox jumps over the lazy dog", "Hello there"]:
    gap = missing_letters(s)
    print(repr(s), "pangram" if not gap else "missing " + gap)
