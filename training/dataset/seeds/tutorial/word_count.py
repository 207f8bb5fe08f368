text = "the sun rose and the birds sang and the day began"
counts = {}
for word in text.split():
    counts[word] = counts.get(word, 0) + 1
top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
print(top[:3])
print("distinct words:", len(counts))
