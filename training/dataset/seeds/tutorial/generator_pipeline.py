def numbers(n):
    for i in range(1, n + 1):
        yield i


def evens(stream):
    for x in stream:
        if x % 2 == 0:
            yield x


def squared(stream):
    for x in stream:
        yield x * x


pipeline = squared(evens(numbers(10)))
print(list(pipeline))
