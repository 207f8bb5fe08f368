def flatten(value):
    result = []
    for item in value:
        if isinstance(item, list):
            result.extend(flatten(item))
        else:
            result.append(item)
    return result


nested = [1, [2, 3], [4, [5, [6]]], 7]
flat = flatten(nested)
print(flat)
print("depth-free length:", len(flat))
