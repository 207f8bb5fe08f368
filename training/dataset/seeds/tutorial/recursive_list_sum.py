def total(items):
    if not items:
        return 0
    return items[0] + total(items[1:])


def count_down(n):
    if n == 0:
        return ["go"]
    return [n] + count_down(n - 1)


print(total([4, 8, 15, 16, 23, 42]))
print(count_down(4))
