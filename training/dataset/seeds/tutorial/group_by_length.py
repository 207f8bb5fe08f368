from collections import defaultdict

words = ["ox", "cat", "dog", "horse", "emu", "lynx", "bear", "zebra"]
groups = defaultdict(list)
for w in words:
    groups[len(w)].append(w)
for length in sorted(groups):
    print(length, groups[length])
