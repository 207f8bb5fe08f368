values = [17, 42, 8, 42, 23, 4]
best = values[0]
best_index = 0
for index in range(1, len(values)):
    if values[index] > best:
        best = values[index]
        best_index = index
print("max", best, "at", best_index)
print(max(values) == best)
