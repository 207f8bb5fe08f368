def walk(tree):
    for node in tree:
        if isinstance(node, (list, tuple)):
            yield from walk(node)
        else:
            yield node


data = [1, (2, 3), [4, [5, 6]], 7]
print(list(walk(data)))
print(max(walk(data)))
