def kth_smallest(values, k):
    remaining = list(values)
    for _ in range(k - 1):
        remaining.remove(min(remaining))
    return min(remaining)


data = [7, 10, 4, 3, 20, 15]
for k in (1, 3, 6):
    print(k, kth_smallest(data, k))
