def factorial(n):
    if n <= 1:
        return 1
    return n * factorial(n - 1)


def mean(values):
    total = 0
    for v in values:
        total += v
    return total / len(values)


facts = [factorial(k) for k in range(5)]
average = mean(facts)
print(facts, average)
