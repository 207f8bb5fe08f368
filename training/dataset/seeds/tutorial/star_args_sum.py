def add_all(*numbers):
    total = 0
    for n in numbers:
        total += n
    return total


def average(first, *rest):
    count = 1 + len(rest)
    return (first + add_all(*rest)) / count


print(add_all())
print(add_all(4, 5, 6))
print(average(10, 20, 30, 40))
