def chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


letters = list("abcdefgh")
for piece in chunks(letters, 3):
    print(piece)
print(list(chunks([1, 2, 3, 4], 2)))
