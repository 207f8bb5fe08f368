height = 4
for level in range(1, height + 1):
    spaces = " " * (height - level)
    stars = "*" * (2 * level - 1)
    print(spaces + stars)
