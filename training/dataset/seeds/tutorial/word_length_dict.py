sentence = "functions make code easier to reuse"
lengths = {word: len(word) for word in sentence.split()}
long_words = {w: n for w, n in lengths.items() if n > 4}
print(lengths)
print(long_words)
