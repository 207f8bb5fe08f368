def search(items, target, lo, hi):
    if lo > hi:
        return None
    mid = (lo + hi) // 2
    if items[mid] == target:
        return mid
    if target < items[mid]:
        return search(items, target, lo, mid - 1)
    return search(items, target, mid + 1, hi)


words = ["ant", "bee", "cat", "dog", "eel", "fox"]
print(search(words, "dog", 0, len(words) - 1))
print(search(words, "cow", 0, len(words) - 1))
