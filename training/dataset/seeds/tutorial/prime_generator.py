def primes():
    found = []
    candidate = 2
    while True:
        if all(candidate % p for p in found):
            found.append(candidate)
            yield candidate
        candidate += 1


gen = primes()
first_ten = [next(gen) for _ in range(10)]
print(first_ten)
