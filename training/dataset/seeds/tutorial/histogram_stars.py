rolls = [3, 5, 2, 3, 6, 3, 5, 1, 2, 3]
counts = {}
for r in rolls:
    counts[r] = counts.get(r, 0) + 1
for face in range(1, 7):
    bar = "*" * counts.get(face, 0)
    print(face, bar)
