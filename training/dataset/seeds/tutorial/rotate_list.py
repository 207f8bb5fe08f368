def rotate_left(items, k):
    if not items:
        return items
    k %= len(items)
    return items[k:] + items[:k]


letters = ["a", "b", "c", "d", "e"]
print(rotate_left(letters, 2))
print(rotate_left(letters, 7))
print(rotate_left([], 3))
