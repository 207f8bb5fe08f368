from collections import Counter

data = [4, 1, 7, 4, 9, 2, 4, 7]
mean = sum(data) / len(data)
ordered = sorted(data)
middle = len(ordered) // 2
if len(ordered) % 2 == 0:
    median = (ordered[middle - 1] + ordered[middle]) / 2
else:
    median = ordered[middle]
mode, times = Counter(data).most_common(1)[0]
print("mean", mean, "median", median, "mode", mode, "x", times)
