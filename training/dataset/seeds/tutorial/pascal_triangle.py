rows = [[1]]
for _ in range(5):
    prev = rows[-1]
    middle = [prev[i] + prev[i + 1] for i in range(len(prev) - 1)]
    rows.append([1] + middle + [1])
for row in rows:
    print(" ".join(str(x) for x in row).center(20))
