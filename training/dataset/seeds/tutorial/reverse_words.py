line = "keep calm and write tests"
words = line.split()
backwards = " ".join(reversed(words))
mirrored = " ".join(w[::-1] for w in words)
print(backwards)
print(mirrored)
