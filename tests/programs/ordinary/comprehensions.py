words = ["bb", "a", "ccc"]
lengths = [len(w) for w in words]
index = {w: len(w) for w in words}
firsts = {w[0] for w in words}
total = sum(n * 2 for n in lengths)
ordered = sorted(words, key=lambda w: len(w))
