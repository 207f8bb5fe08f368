from collections import Counter

text = "mississippi river"
counts = Counter(ch for ch in text if ch != " ")
print(counts.most_common(3))
print(counts["s"], counts["z"])
print(sorted(counts.items()))
