def find_all(items, target):
    positions = []
    for index, value in enumerate(items):
        if value == target:
            positions.append(index)
    return positions


colors = ["red", "blue", "red", "green", "red"]
print(find_all(colors, "red"))
print(find_all(colors, "pink"))
print(colors.index("green"))
