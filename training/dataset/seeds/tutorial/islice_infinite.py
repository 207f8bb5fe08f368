from itertools import count, islice


def squares():
    for n in count(1):
        yield n * n


print(list(islice(squares(), 6)))
big = next(s for s in squares() if s > 200)
print(big)
