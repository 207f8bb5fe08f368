def counting_sort(values, max_value):
    counts = [0] * (max_value + 1)
    for v in values:
        counts[v] += 1
    result = []
    for value, times in enumerate(counts):
        result.extend([value] * times)
    return result


print(counting_sort([4, 2, 2, 8, 3, 3, 1], 8))
